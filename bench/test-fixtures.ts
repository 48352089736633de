// The test fixtures the bench reuses: the stand-in upstream and the tests' model catalogue. The test
// files use extensionless imports (Vite resolves them, Node does not), so they are bundled with
// esbuild and imported from a temporary file rather than imported directly.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = join(import.meta.dirname, "..");
const OUT = mkdtempSync(join(tmpdir(), "embed-edge-bench-fixtures-"));

async function importBundled<T>(path: string): Promise<T> {
  const outfile = join(OUT, path.replaceAll("/", "_").replace(/\.ts$/, ".mjs"));
  await build({
    entryPoints: [join(ROOT, path)],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "error",
  });
  return (await import(pathToFileURL(outfile).href)) as T;
}

export const standInModule = await importBundled<typeof import("../test/upstream/stand-ins.ts")>("test/upstream/stand-ins.ts");
export const openAiStandIn = await importBundled<typeof import("../test/upstream/openai-stand-in.ts")>("test/upstream/openai-stand-in.ts");
export const testModels = await importBundled<typeof import("../test/setup/test-models.ts")>("test/setup/test-models.ts");
rmSync(OUT, { recursive: true, force: true });
