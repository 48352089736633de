// The client as its users get it: `npm pack` in client/, installed offline into a fresh project,
// imported by package name in Node and type-checked under the strictest module resolution.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });

/** A consumer's script: real imports by name, a fake fetch standing in for the gateway. */
const CHECK = `
import assert from "node:assert/strict";
import { createClient, EmbedEdgeError, isEmbedEdgeError, topK } from "embed-edge-client";

assert.deepEqual(topK([1, 0], [[0, 1], [1, 0.1], [-1, 0]], 2).map((r) => r.index), [1, 0]);

const seen = [];
const vector = Buffer.from(new Float32Array([0.25, -2]).buffer).toString("base64");
const fetch = async (url, init) => {
  seen.push([url, init.headers.authorization, JSON.parse(init.body)]);
  return new Response(JSON.stringify({ data: [{ index: 0, embedding: vector }] }), { headers: { "content-type": "application/json" } });
};
const client = createClient({ baseURL: "https://gw.example/", token: "tok", model: "m", fetch });
assert.deepEqual([...(await client.embed("hello"))], [0.25, -2]);
assert.deepEqual(seen, [["https://gw.example/v1/embeddings", "Bearer tok", { model: "m", input: ["hello"], encoding_format: "base64" }]]);

const refusing = createClient({ baseURL: "https://gw.example", fetch: async () => new Response('{"error":{"message":"nope","code":"model_not_found"}}', { status: 404 }) });
const error = await refusing.embed("x").catch((e) => e);
assert.ok(isEmbedEdgeError(error) && error instanceof EmbedEdgeError);
assert.equal(error.code, "model_not_found");
console.log("consumer ok");
`;

/** A consumer's TypeScript: the declarations must resolve and describe the API. */
const CONSUMER_TS = `
import { createClient, isEmbedEdgeError, topK, type EmbedEdgeClient, type RerankResult } from "embed-edge-client";

const client: EmbedEdgeClient = createClient({ baseURL: "https://gw.example", token: async () => "t", maxRetryAfter: 5000, onResponse: (info) => info.headers.get("x-cache") });
export const one: Promise<Float32Array> = client.embed("x");
export const many: Promise<Float32Array[]> = client.embedMany(["x"], { batchSize: 8, onProgress: (done: number, total: number) => done / total });
export const ranked: Promise<RerankResult[]> = client.rerank("q", ["a"], { topN: 1 });
export const best: number = topK([1], [[1]], 1)[0].score;
export const describe = (e: unknown): string => (isEmbedEdgeError(e) ? \`\${e.status} \${e.code} \${e.retryAfter ?? ""}\` : "other");
// @ts-expect-error inputs are strings
client.embed(1);
`;

describe("embed-edge-client package", () => {
  let dir = "";
  let packed: { filename: string; files: { path: string }[] };
  let project = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "embed-edge-client-"));
    [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], "client"));
    project = join(dir, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    run("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, packed.filename)], project);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("Should pack readable ESM, its type declarations and README, and no sources or tests", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/client.d.ts", "README.md", "package.json"]));
    for (const path of paths) expect(path).toMatch(/^(dist\/[\w-]+\.(js|d\.ts)|package\.json|README\.md)$/);
    const installed = readFileSync(join(project, "node_modules", "embed-edge-client", "dist", "index.js"), "utf8");
    expect(installed).toContain("function createClient(");
    expect(installed.split("\n").length).toBeGreaterThan(100);
  });

  it("Should work when a fresh project imports it by name", () => {
    writeFileSync(join(project, "check.mjs"), CHECK);
    expect(run(process.execPath, ["check.mjs"], project)).toContain("consumer ok");
  });

  it("Should type-check a consumer under nodenext module resolution", () => {
    writeFileSync(join(project, "consumer.ts"), CONSUMER_TS);
    const options = {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2022", "dom"],
      types: [],
      strict: true,
      noEmit: true,
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["consumer.ts"] }));
    let errors = "";
    try {
      run(resolve("node_modules", ".bin", "tsc"), ["-p", "."], project);
    } catch (failure) {
      errors = String((failure as { stdout?: string }).stdout || failure); // tsc reports on stdout
    }
    expect(errors).toBe("");
  });
});
