import { describe, expect, it } from "vitest";
import { STAND_IN_API_KEY } from "../upstream/together-stand-in";
import { gateway, upstreamURL } from "./gateway";

const MODEL = "BAAI/bge-large-en-v1.5";
const embed = (gw: ReturnType<typeof gateway>, input: string | string[]) => gw.post("/v1/embeddings", { model: MODEL, input });

async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text);
  expect(body.error.code).toBe(code);
  expect(text).not.toContain(STAND_IN_API_KEY);
  expect(text).not.toContain("upstream secret detail");
  for (const [, value] of res.headers) expect(value).not.toContain(STAND_IN_API_KEY);
  return body;
}

describe("upstream faults", () => {
  it("Should retry a 429 that asks for a short wait and then succeed", async () => {
    const gw = gateway();
    await gw.fault({ kind: "status", status: 429, retryAfter: "0" });
    const res = await embed(gw, "after 429");
    expect(res.status).toBe(200);
    expect((await gw.stats()).calls.embeddings).toBe(2);
  });

  it("Should pass a 429 with a long retry-after back to the client with retry-after", async () => {
    const gw = gateway();
    await gw.fault({ kind: "status", status: 429, retryAfter: "30", times: 5 });
    const res = await embed(gw, "long 429");
    await expectError(res, 429, "upstream_rate_limited");
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await gw.stats()).calls.embeddings).toBe(1);
  });

  it("Should turn an upstream 500 into a 502 without retrying, and not cache it", async () => {
    const gw = gateway();
    await gw.fault({ kind: "status", status: 500 });
    await expectError(await embed(gw, "five hundred"), 502, "upstream_error");
    expect((await gw.stats()).calls.embeddings).toBe(1);
    const next = await embed(gw, "five hundred");
    expect(next.status).toBe(200);
    expect(next.headers.get("x-cache")).toBe("MISS");
    expect((await gw.stats()).calls.embeddings).toBe(2);
  });

  it("Should retry a 503 once and succeed", async () => {
    const gw = gateway();
    await gw.fault({ kind: "status", status: 503 });
    expect((await embed(gw, "after 503")).status).toBe(200);
    expect((await gw.stats()).calls.embeddings).toBe(2);
  });

  it("Should give up on a persistent 503 after the configured retries with a 502", async () => {
    const gw = gateway();
    await gw.fault({ kind: "status", status: 503, times: 10 });
    await expectError(await embed(gw, "always 503"), 502, "upstream_error");
    expect((await gw.stats()).calls.embeddings).toBe(2);
  });

  it("Should answer 504 when the upstream does not answer in time", async () => {
    const gw = gateway({ UPSTREAM_TIMEOUT_MS: "300" });
    await gw.fault({ kind: "timeout" });
    await expectError(await embed(gw, "slow"), 504, "upstream_timeout");
    expect((await embed(gw, "slow")).status).toBe(200);
  });

  it("Should turn malformed JSON and HTML answers into 502 and cache neither", async () => {
    const gw = gateway();
    await gw.fault({ kind: "malformed" });
    await expectError(await embed(gw, "garbled"), 502, "upstream_bad_response");
    await gw.fault({ kind: "html" });
    await expectError(await embed(gw, "garbled"), 502, "upstream_bad_response");
    const good = await embed(gw, "garbled");
    expect(good.status).toBe(200);
    expect(good.headers.get("x-cache")).toBe("MISS");
  });

  it("Should report an upstream auth failure as 502 pointing at TOGETHER_API_KEY, never echoing it", async () => {
    const gw = gateway({ TOGETHER_API_KEY: "wrong-key-value-123" });
    const res = await embed(gw, "bad key");
    const body = await expectError(res, 502, "upstream_auth_failed");
    expect(body.error.message).toContain("TOGETHER_API_KEY");
    expect(JSON.stringify(body)).not.toContain("wrong-key-value-123");
  });

  it("Should refuse vectors of the wrong size from the upstream instead of caching them", async () => {
    const gw = gateway();
    await gw.fault({ kind: "wrong-dimensions" });
    await expectError(await embed(gw, "odd size"), 502, "upstream_dimension_mismatch");
    expect((await embed(gw, "odd size")).headers.get("x-cache")).toBe("MISS");
  });

  it("Should fail rerank faults the same way and recover on the next request", async () => {
    const gw = gateway();
    await gw.fault({ kind: "status", status: 500 });
    const body = { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["a", "b"] };
    await expectError(await gw.post("/v1/rerank", body), 502, "upstream_error");
    const ok = await gw.post("/v1/rerank", body);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-cache")).toBe("MISS");
  });

  it("Should send the provider key to the upstream only", async () => {
    const gw = gateway();
    await embed(gw, "who sees the key");
    expect((await gw.stats()).authHeaders).toEqual([`Bearer ${STAND_IN_API_KEY}`]);
  });

  it("Should not follow an upstream redirect: the texts are not re-posted, and the 502 names the base URL variable", async () => {
    const gw = gateway();
    const elsewhere = `${upstreamURL}/t/${gw.tenant}-elsewhere/v1/embeddings`;
    await gw.fault({ kind: "redirect", location: elsewhere, times: 3 });
    const body = await expectError(await embed(gw, "redirected text"), 502, "upstream_redirected");
    expect(body.error.message).toContain("TOGETHER_BASE_URL");
    expect(body.error.message).not.toContain("elsewhere");
    expect((await gw.stats()).calls.embeddings).toBe(1);
    const target = await fetch(`${upstreamURL}/t/${gw.tenant}-elsewhere/_stats`, { method: "POST" }).then((r) => r.json() as Promise<any>);
    expect(target.calls.embeddings).toBe(0);
  });

  it("Should refuse an upstream answer larger than the batch can need with a 502, declared or streamed", async () => {
    for (const chunked of [false, true]) {
      const gw = gateway();
      await gw.fault({ kind: "oversized", padBytes: 2 << 20, chunked });
      await expectError(await embed(gw, `oversized ${chunked}`), 502, "upstream_response_too_large");
      // A padded answer within the cap is still an answer.
      await gw.fault({ kind: "oversized", padBytes: 64 << 10, chunked });
      expect((await embed(gw, `padded ${chunked}`)).status).toBe(200);
    }
  });
});
