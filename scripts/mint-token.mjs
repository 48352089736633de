// `npm run token -- --sub alice --origin http://localhost:5173 [--ttl 3600] [--scopes embed,rerank] [--tier high]`
// Signs a browser token locally with TOKEN_SECRET from .dev.vars, for development.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "dev-user" },
    origin: { type: "string" },
    ttl: { type: "string", default: "3600" },
    scopes: { type: "string" },
    tier: { type: "string" },
  },
});
const vars = Object.fromEntries(
  readFileSync(".dev.vars", "utf8")
    .split("\n")
    .filter((l) => /^\w+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
);
const secret = process.env.TOKEN_SECRET ?? vars.TOKEN_SECRET;
if (!secret || secret.length < 32) throw new Error("TOKEN_SECRET (>= 32 characters) must be set in .dev.vars or the environment");
const now = Math.floor(Date.now() / 1000);
/** @type {{ sub: string; iat: number; exp: number; origin?: string; scopes?: string[]; tier?: string }} */
const claims = { sub: values.sub, iat: now, exp: now + Math.min(Number(values.ttl), 86_400) };
if (values.origin) claims.origin = values.origin.replace(/\/+$/, "");
if (values.scopes) claims.scopes = values.scopes.split(",");
if (values.tier) claims.tier = values.tier;
console.log(await sign(claims, secret, "HS256"));
