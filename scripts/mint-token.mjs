// `npm run token -- --sub alice --origin http://localhost:5173 [--kid dev] [--ttl 3600] [--scopes embed,rerank] [--tier high]`
// `npm run token -- --sub alice --any-origin` for a token every allowed origin may use.
// Signs a browser token locally with TOKEN_SECRET from the environment or .dev.vars, for development.
// `--kid` names the server key (its id in GATEWAY_KEYS) the token counts as minted by: the gateway
// refuses tokens whose key it no longer has. `npm run dev -- --token` names its key `dev`.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "dev-user" },
    origin: { type: "string" },
    "any-origin": { type: "boolean", default: false },
    kid: { type: "string", default: "dev" },
    ttl: { type: "string", default: "3600" },
    scopes: { type: "string" },
    tier: { type: "string" },
  },
});
const vars = existsSync(".dev.vars")
  ? Object.fromEntries(
      readFileSync(".dev.vars", "utf8")
        .split("\n")
        .filter((l) => /^\w+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
    )
  : {};
const secret = process.env.TOKEN_SECRET ?? vars.TOKEN_SECRET;
// The gateway's own rules (worker/auth/secret-rules.ts): a token signed with a weak secret is useless.
if (!secret || secret.length < 32 || /change-?me/i.test(secret)) {
  throw new Error("TOKEN_SECRET (32+ random characters, not the example value) must be set in .dev.vars or the environment");
}
if (!values.origin && !values["any-origin"])
  throw new Error("Pass --origin <page origin>, or --any-origin for a token every allowed origin may use");
const maxTtl = Number(process.env.TOKEN_MAX_TTL_SECONDS ?? vars.TOKEN_MAX_TTL_SECONDS ?? 3600);
const now = Math.floor(Date.now() / 1000);
/** @type {{ sub: string; iat: number; exp: number; iss: string; aud: string; kid: string; origin?: string; scopes?: string[]; tier?: string }} */
const claims = {
  sub: String(values.sub),
  iat: now,
  exp: now + Math.min(Number(values.ttl), maxTtl),
  // worker/auth/tokens.ts: TOKEN_ISSUER and TOKEN_AUDIENCE.
  iss: "embed-edge",
  aud: "embed-edge",
  kid: String(values.kid),
};
if (values.origin) claims.origin = values.origin.replace(/\/+$/, "");
if (values.scopes) claims.scopes = values.scopes.split(",");
if (values.tier) claims.tier = values.tier;
console.log(await sign(claims, secret, "HS256"));
