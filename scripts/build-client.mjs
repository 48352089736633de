// Builds the browser client from client/*.ts.
//   node scripts/build-client.mjs          both outputs below (npm run build:client, before tests)
//   node scripts/build-client.mjs package  only the npm package's (client/package.json prepack)
// - dist/client/index.js: one minified ESM file (+ map and .d.ts) that pages and the gateway's
//   /client.js serve; the 2 KB min+gzip budget (client/size.test.ts) is about this one.
// - client/dist/: the npm package embed-edge-client, readable ESM plus .d.ts; bundlers minify it.
// The package-only mode leaves dist/client alone, so packing never rewrites a file tests are reading.

import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));
const packageOnly = process.argv[2] === "package";
/** @type {import("esbuild").BuildOptions} */
const common = {
  absWorkingDir: process.cwd(),
  // The core (index, within 2 KB) and collections search, a second entry point of the same package.
  entryPoints: ["client/index.ts", "client/collections.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  logLevel: "warning",
};
/** @param {string} outDir */
const declarations = (outDir) =>
  execFileSync(join("node_modules", ".bin", "tsc"), ["-p", "client/tsconfig.json", "--outDir", outDir], {
    stdio: "inherit",
    shell: process.platform === "win32",
  });

// Emptied first, so a declaration of a removed source file is never packed.
rmSync("client/dist", { recursive: true, force: true });
await build({ ...common, outdir: "client/dist", legalComments: "inline" });
declarations("client/dist");
if (!packageOnly) {
  rmSync("dist/client", { recursive: true, force: true });
  await build({ ...common, outdir: "dist/client", minify: true, sourcemap: true, legalComments: "none" });
  declarations("dist/client");
}
