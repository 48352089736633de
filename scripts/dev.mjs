// `npm run dev [-- --token] [-- --port 8788] [-- <other wrangler dev flags>]`
// The gateway on http://127.0.0.1:8787 (the next free port when another program holds it) with local
// KV and the local (lexical) models, so it works with no provider key at all. Open mode by default;
// `--token` runs token mode as deployed, with a server key and TOKEN_SECRET made fresh for this run
// (a strong TOKEN_SECRET in .dev.vars is kept, so `npm run token` signs for it), the playground's own
// origin and http://localhost:5173 allowed, and prints a ready-to-use token. The devtools inspector
// takes a free port too, so a second `wrangler dev` on the machine does not stop this one. Once the
// gateway answers, it prints what it really serves.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { parseArgs } from "node:util";

const { values, tokens } = parseArgs({
  args: process.argv.slice(2),
  options: {
    token: { type: "boolean", default: false },
    port: { type: "string" },
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

/**
 * Whether nothing listens on `port` of `host` yet (of every address without `host`).
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<boolean>}
 */
function isFree(port, host) {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}
/**
 * The first port from `from` on that is free on `host` and on every address (`from` itself when free).
 * @param {number} from
 * @param {string} host
 */
async function firstFree(from, host) {
  for (let p = from; p < from + 100; p++) if ((await isFree(p, host)) && (await isFree(p))) return p;
  throw new Error(`no free port in ${from}-${from + 99}`);
}
/** The gateway's secrets follow the gateway's own rules (worker/config/secret-rules.ts). @param {unknown} s */
const strongSecret = (s) => typeof s === "string" && s.length >= 32 && !/change-?me/i.test(s);

// A port the caller names is theirs to keep (wrangler then says if it is taken).
const port = String(values.port ?? (await firstFree(8787, String(values.ip))));
const inspectorPort = passThrough.includes("--inspector-port") ? undefined : String(await firstFree(9229, "127.0.0.1"));
const origin = `http://${values.ip === "0.0.0.0" ? "127.0.0.1" : values.ip}:${port}`;
/** @type {Record<string, string>} */
const vars = { LOCAL_PROVIDER: "on" };
// A placeholder left from the example file is no key: the provider must count as not configured.
for (const [name, value] of Object.entries(devVars)) if (/^your-/.test(value)) vars[name] = "";
/** @type {string | undefined} */
let serverKey;
if (values.token) {
  serverKey = `dev-${randomBytes(24).toString("hex")}`;
  Object.assign(vars, {
    AUTH_MODE: "token",
    GATEWAY_KEYS: `dev:${serverKey}`,
    TOKEN_SECRET: strongSecret(devVars.TOKEN_SECRET) ? devVars.TOKEN_SECRET : randomBytes(32).toString("hex"),
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
const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
const args = [
  "dev",
  "--ip",
  String(values.ip),
  "--port",
  port,
  ...(inspectorPort ? ["--inspector-port", inspectorPort] : []),
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
    `  usage:      ${base}/usage`,
    ...(inspectorPort
      ? [`  inspector:  127.0.0.1:${inspectorPort}${inspectorPort === "9229" ? "" : " (9229 was taken: another wrangler dev?)"} (devtools)`]
      : []),
  ];
  if (serverKey) {
    let token = "";
    try {
      const minted = await fetch(`${base}/v1/tokens`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        // Dev tokens serve the playground and every allowed dev origin alike.
        body: JSON.stringify({ sub: "dev", ttl_seconds: 3600, any_origin: true }),
      });
      token = (await minted.json()).token ?? "";
    } catch {}
    lines.push(
      `  server key: ${serverKey}   (id "dev", made for this run; for curl and backends, never in a page)`,
      `  token (1 h): ${token}`,
    );
    if (!strongSecret(devVars.TOKEN_SECRET))
      lines.push("  TOKEN_SECRET: made for this run (put a strong one in .dev.vars for `npm run token -- --kid dev`)");
  }
  lines.push('  Deployments use AUTH_MODE=token from wrangler.toml (README, "Deploying safely").', bar);
  console.log(`\n${lines.join("\n")}\n`);
}
