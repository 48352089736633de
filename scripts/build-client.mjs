// Builds the browser client: one minified ESM file plus its type declarations.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";

await build({ entryPoints: ["client/index.ts"], outfile: "dist/client/index.js", bundle: true, minify: true, format: "esm", target: "es2022", sourcemap: true, legalComments: "none" });
execFileSync("tsc", ["-p", "client/tsconfig.json"], { stdio: "inherit", shell: process.platform === "win32" });
