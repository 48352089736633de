// Coalescing across real concurrent requests under `wrangler dev`: in workerd each request has its
// own context, and a request that only waits on another's upstream call must not be cancelled.
import { describe, expect, inject, it } from "vitest";
import { standInVector } from "../upstream/together-stand-in";

const gatewayURL = inject("gatewayURL");
const upstreamURL = inject("upstreamURL");
const serverKey = inject("serverKey");

describe("concurrent identical requests through wrangler dev", () => {
  it("Should all succeed with one upstream call per text", async () => {
    for (let round = 0; round < 5; round++) {
      const input = Array.from({ length: 16 }, (_, i) => `coalesce ${Date.now()} ${round} ${i}`);
      await fetch(`${upstreamURL}/t/node/_fault`, { method: "POST", body: JSON.stringify({ kind: "delay", ms: 150 }) });
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${gatewayURL}/v1/embeddings`, {
            method: "POST",
            headers: { authorization: `Bearer ${serverKey}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "BAAI/bge-large-en-v1.5", input, encoding_format: "float" }),
          }),
        ),
      );
      const bodies = await Promise.all(responses.map((r) => r.json()));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      for (const body of bodies)
        expect(Float32Array.from(body.data[15].embedding)).toEqual(standInVector("BAAI/bge-large-en-v1.5", input[15], 1024));
      const stats = await (await fetch(`${upstreamURL}/t/node/_stats`, { method: "POST" })).json();
      for (const text of input) expect(stats.embedded[text]).toBe(1);
    }
  });
});
