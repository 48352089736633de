// `npm run typecheck`: every TypeScript program in the repository, each against its own runtime's types.
// All of them run even when one fails, so one report lists every error.
import { spawnSync } from "node:child_process";

const programs = [
  ["tsconfig.json", "the worker (workerd)"],
  ["client/tsconfig.json", "the browser client"],
  ["test/tsconfig.json", "tests that run in workerd"],
  ["tsconfig.node.json", "Node: node tests, test setup, stand-in, bench, scripts"],
];

let failed = 0;
for (const [project, what] of programs) {
  // The client's config emits declarations for `npm run build:client`; checking writes nothing.
  const result = spawnSync("tsc", ["-p", project, "--noEmit"], { stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) {
    console.error(`typecheck failed: ${project} (${what})\n`);
    failed++;
  }
}
process.exitCode = failed ? 1 : 0;
