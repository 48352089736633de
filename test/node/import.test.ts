// `npm run import` against the gateway under `wrangler dev`, as a user runs it (a child process,
// output not a terminal, so plain progress lines).
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { csvFields, parseRecords } from "../../scripts/import-records.mjs";

const gatewayURL = inject("gatewayURL");
const serverKey = inject("serverKey");
const run = Date.now().toString(36);
const dir = mkdtempSync(join(tmpdir(), "embed-edge-import-"));
const exec = promisify(execFile);

const importFile = (collection: string, file: string, url = gatewayURL, extra: string[] = []) =>
  exec(
    process.execPath,
    ["scripts/import.mjs", collection, file, "--url", url, "--key", serverKey, "--model", "test/tiny-embed", ...extra],
    {
      encoding: "utf8",
    },
  );

async function get(path: string) {
  const res = await fetch(`${gatewayURL}${path}`, { headers: { authorization: `Bearer ${serverKey}` } });
  return res.json() as Promise<any>;
}

describe("import: reading files", () => {
  it("Should read JSONL, CSV with quoted fields and extra columns as metadata, and plain text lines", () => {
    expect(csvFields('a,"b, ""c""",d')).toEqual(["a", 'b, "c"', "d"]);
    expect(parseRecords('{"id":"1","text":"one","metadata":{"k":1}}\n\n{"text":"two"}\n', "x.jsonl")).toEqual([
      { id: "1", text: "one", metadata: { k: 1 } },
      { id: expect.stringMatching(/^[0-9a-f]{24}$/), text: "two" },
    ]);
    expect(parseRecords('id,text,lang\n7,"hello, world",en\n8,bye,\n', "x.csv")).toEqual([
      { id: "7", text: "hello, world", metadata: { lang: "en" } },
      { id: "8", text: "bye" },
    ]);
    const lines = parseRecords("alpha\n\n beta \n", "x.txt");
    expect(lines.map((r) => r.text)).toEqual(["alpha", "beta"]);
    expect(parseRecords("alpha\n", "y.txt")[0].id).toBe(lines[0].id);
    expect(() => parseRecords('{"id":1}\n', "bad.jsonl")).toThrow("bad.jsonl:1");
  });
});

describe("import: into a gateway", () => {
  it("Should import in batches with plain progress lines, and cost nothing when run again", async () => {
    const name = `import-${run}`;
    const file = join(dir, "records.jsonl");
    writeFileSync(
      file,
      Array.from({ length: 600 }, (_, i) => JSON.stringify({ id: `r${i}`, text: `imported record ${i}`, metadata: { n: i } })).join("\n"),
    );
    const first = await importFile(name, file, gatewayURL, ["--batch", "128", "--concurrency", "3"]);
    expect(first.stdout).toMatch(/^import: 600\/600 records, \d+\/s, ETA 0 s \(100%\)$/m);
    expect(first.stdout).toContain("done: 600 upserted, 0 unchanged, 600 embedded upstream");
    expect((await get(`/v1/collections/${name}`)).count).toBe(600);
    expect(await get(`/v1/collections/${name}/records/r42`)).toEqual({ id: "r42", text: "imported record 42", metadata: { n: 42 } });
    const again = await importFile(name, file);
    expect(again.stdout).toContain("done: 0 upserted, 600 unchanged, 0 embedded upstream (0 tokens)");
  });

  it("Should draw a progress bar with rate and ETA on a terminal", async () => {
    const file = join(dir, "tty.txt");
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => `terminal line ${i} ${run}`).join("\n"));
    // util-linux `script` runs the import on a pseudo-terminal, as a user's shell would.
    const command = [
      process.execPath,
      "scripts/import.mjs",
      `import-tty-${run}`,
      file,
      "--url",
      gatewayURL,
      "--key",
      serverKey,
      "--model",
      "test/tiny-embed",
      "--batch",
      "64",
    ]
      .map((a) => `'${a}'`)
      .join(" ");
    const { stdout } = await exec("script", ["-qefc", command, "/dev/null"], { encoding: "utf8" });
    expect(stdout).toMatch(/\r\[#{30}\] 100% 300\/300 records, \d+\/s, ETA 0 s/);
    expect(stdout).toMatch(/\r\[#*-+\]\s+\d+% 64\/300 records, \d+\/s, ETA \d+ s/);
    expect(stdout).not.toContain("import: ");
    expect(stdout).toContain("done: 300 upserted");
  });

  it("Should wait out a 429's Retry-After and finish", async () => {
    const name = `import-retry-${run}`;
    const file = join(dir, "lines.txt");
    writeFileSync(file, "first line\nsecond line\nthird line\n");
    // A proxy in front of the real gateway that refuses the first upsert once with 429.
    let refused = 0;
    const proxy = createServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      if (req.url?.endsWith("/records") && refused === 0) {
        refused = Date.now();
        res.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end('{"error":{"message":"slow down"}}');
        return;
      }
      const upstream = await fetch(`${gatewayURL}${req.url}`, {
        method: req.method,
        headers: { authorization: req.headers.authorization!, "content-type": "application/json" },
        body: body || undefined,
      });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const started = Date.now();
      const out = await importFile(name, file, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      expect(out.stdout).toContain("done: 3 upserted");
      expect(refused).toBeGreaterThan(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it("Should stop with the gateway's message on a refusal, saying how to resume", async () => {
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, `${JSON.stringify({ id: "x".repeat(80), text: "too long an id" })}\n`);
    const failed = await importFile(`import-bad-${run}`, file).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("records 1-1: HTTP 400");
    expect(failed.stderr).toContain("run it again to resume");
  });
});
