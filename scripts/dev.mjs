// `npm run dev [-- --token] [-- --port 8788] [-- <other wrangler dev flags>]`
// The gateway on http://127.0.0.1:8787 with local KV and the local (lexical) models, so it works with
// no provider key at all. Open mode by default; `--token` runs token mode as deployed, with a dev
// TOKEN_SECRET and server key, the playground's own origin and http://localhost:5173 allowed, and
// prints a ready-to-use token. Once the gateway answers, it prints what it really serves.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { parseArgs } from "node:util";

const { values, tokens } = parseArgs({
  args: process.argv.slice(2),
  options: {
    token: { type: "boolean", default: false },
    port: { type: "string", default: "8787" },
    ip: { type: "string", default: "127.0.0.1" },
  },
  strict: false,
  tokens: true,
});
// Everything that is not ours goes to wrangler as it came.
const ours = new Set(["token", "port", "ip"]);
const passThrough = [];
for (const t of tokens) {
  if (t.kind === "option" && ours.has(t.name)) continue;
  if (t.kind === "option") passThrough.push(t.rawName, ...(t.value !== undefined && !t.inlineValue ? [t.value] : []));
  else if (t.kind === "positional") passThrough.push(t.value);
}

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (provider keys are optional: the local models need none).");
}
const devVars = Object.fromEntries(
  readFileSync(".dev.vars", "utf8")
    .split("\n")
    .filter((l) => /^\w+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
);

const port = String(values.port);
const origin = `http://${values.ip === "0.0.0.0" ? "127.0.0.1" : values.ip}:${port}`;
/** @type {Record<string, string>} */
const vars = { LOCAL_PROVIDER: "on" };
// A placeholder left from the example file is no key: the provider must count as not configured.
for (const [name, value] of Object.entries(devVars)) if (/^your-/.test(value)) vars[name] = "";
/** @type {string | undefined} */
let serverKey;
if (values.token) {
  serverKey = `dev-${randomBytes(12).toString("hex")}`;
  Object.assign(vars, {
    AUTH_MODE: "token",
    GATEWAY_KEYS: `dev:${serverKey}`,
    TOKEN_SECRET: devVars.TOKEN_SECRET?.length >= 32 ? devVars.TOKEN_SECRET : randomBytes(24).toString("hex"),
    ALLOWED_ORIGINS: [origin, `http://localhost:${port}`, "http://localhost:5173", "http://127.0.0.1:5173"].join(","),
  });
} else {
  Object.assign(vars, { AUTH_MODE: "open", ALLOWED_ORIGINS: "*" });
}
// A `--var NAME:value` the caller passed wins over ours, and the banner says what really runs.
for (let i = 0; i < passThrough.length; i++) {
  if (passThrough[i] === "--var" && passThrough[i + 1]?.includes(":")) {
    const [name, ...rest] = passThrough[i + 1].split(":");
    vars[name] = rest.join(":");
  }
}
/**
 * `port` when nothing listens there, else one the system picks. Two `wrangler dev` both wanting the
 * inspector's default 9229 made the second fail ("Address already in use (socket direct:1:default)").
 * @param {number} preferred
 * @returns {Promise<number>}
 */
function freePort(preferred) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => {
      const any = createServer();
      any.listen(0, "127.0.0.1", () => {
        const { port: picked } = /** @type {import("node:net").AddressInfo} */ (any.address());
        any.close(() => resolve(picked));
      });
    });
    server.listen(preferred, "127.0.0.1", () => server.close(() => resolve(preferred)));
  });
}
const inspectorGiven = passThrough.some((a) => a === "--inspector-port" || a.startsWith("--inspector-port="));
const inspectorPort = inspectorGiven ? undefined : await freePort(9229);
const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
const args = [
  "dev",
  "--ip",
  String(values.ip),
  "--port",
  port,
  ...(inspectorPort === undefined ? [] : ["--inspector-port", String(inspectorPort)]),
  ...varArgs,
  ...passThrough.filter((a, i, all) => a !== "--var" && all[i - 1] !== "--var"),
];
const child = spawn("wrangler", args, { stdio: ["inherit", "inherit", "inherit"], shell: process.platform === "win32" });
child.on("exit", (code) => process.exit(code ?? 0));
process.on("SIGINT", () => child.kill("SIGINT"));

await announce();

async function announce() {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  /** @type {Record<string, string>} */
  const headers = serverKey ? { authorization: `Bearer ${serverKey}` } : {};
  let models = [];
  try {
    models = (await (await fetch(`${base}/v1/models`, { headers })).json()).data ?? [];
  } catch {}
  const byProvider = new Map();
  for (const m of models) byProvider.set(m.provider, (byProvider.get(m.provider) ?? 0) + 1);
  const providers = [...byProvider].map(([p, n]) => `${p} (${n} model${n === 1 ? "" : "s"})`).join(", ") || "none";
  const local = byProvider.has("local") ? "on: local/lexical-embed and local/bm25-rerank (lexical, not semantic)" : "off";
  const bar = "=".repeat(78);
  const lines = [
    bar,
    `  embed-edge dev on ${base}`,
    `  auth:       AUTH_MODE=${vars.AUTH_MODE}${vars.AUTH_MODE === "open" ? "  (no credential needed: anyone who can reach this port spends your credit)" : ""}`,
    `  origins:    ALLOWED_ORIGINS=${vars.ALLOWED_ORIGINS}`,
    `  providers:  ${providers}`,
    `  local:      ${local}`,
    `  playground: ${base}/`,
    `  API docs:   ${base}/docs`,
  ];
  if (inspectorPort !== undefined)
    lines.push(`  inspector:  127.0.0.1:${inspectorPort}${inspectorPort === 9229 ? "" : " (9229 was taken: another wrangler dev?)"}`);
  if (serverKey) {
    let token = "";
    try {
      const minted = await fetch(`${base}/v1/tokens`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ sub: "dev", ttl_seconds: 3600 }),
      });
      token = (await minted.json()).token ?? "";
    } catch {}
    lines.push(`  server key: ${serverKey}   (for curl and backends; never in a page)`, `  token (1 h): ${token}`);
  }
  lines.push('  Deployments use AUTH_MODE=token from wrangler.toml (README, "Deploying safely").', bar);
  console.log(`\n${lines.join("\n")}\n`);
}
