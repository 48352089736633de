// `npm run dev`: the gateway on http://127.0.0.1:8787 with local KV, in AUTH_MODE=open.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example: put your TOGETHER_API_KEY in it.");
}
const bar = "!".repeat(78);
console.log(`\n${bar}\n  embed-edge dev: AUTH_MODE=open, ALLOWED_ORIGINS=*  (no credential needed)\n  Anyone who can reach this port spends your Together credit. Never deploy like this:\n  deployments use AUTH_MODE=token from wrangler.toml (see README, "Deploying safely").\n${bar}\n`);
const args = ["dev", "--ip", "127.0.0.1", "--port", "8787", "--var", "AUTH_MODE:open", "--var", "ALLOWED_ORIGINS:*", ...process.argv.slice(2)];
const child = spawn("wrangler", args, { stdio: "inherit", shell: process.platform === "win32" });
child.on("exit", (code) => process.exit(code ?? 0));
