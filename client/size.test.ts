import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { expect, it } from "vitest";

/** The size budget is a feature: the whole client entry, minified and gzipped, stays within 2 KB. */
export const CLIENT_BUDGET_BYTES = 2048;

it("Should keep the client entry within 2 KB min+gzip", async () => {
  // The options of dist/client/index.js in scripts/build-client.mjs: that file is what pages download.
  const result = await build({
    entryPoints: ["client/index.ts"],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    write: false,
    legalComments: "none",
  });
  const bytes = gzipSync(result.outputFiles[0].contents, { level: 9 }).byteLength;
  console.info(`client: ${bytes} bytes min+gzip (budget ${CLIENT_BUDGET_BYTES})`);
  expect(bytes).toBeLessThanOrEqual(CLIENT_BUDGET_BYTES);
});
