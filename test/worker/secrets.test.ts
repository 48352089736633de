import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { STAND_IN_API_KEY } from "../upstream/together-stand-in";
import { gateway } from "./gateway";

describe("the provider key stays secret", () => {
  afterEach(() => vi.restoreAllMocks());

  it("Should never put the provider key or server keys in any response or log line, and log a request id on every line", async () => {
    const lines: string[] = [];
    for (const level of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    }
    const gw = gateway({ AUTH_MODE: "token", UPSTREAM_TIMEOUT_MS: "300" });
    const key = { authorization: `Bearer ${TEST_SERVER_KEY_1}` };
    const responses: Response[] = [];
    responses.push(await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: ["s1", "s2"] }, key));
    responses.push(await gw.post("/v1/rerank", { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["s1"] }, key));
    for (const fault of [
      { kind: "status", status: 500 },
      { kind: "status", status: 429, retryAfter: "60" },
      { kind: "timeout" },
      { kind: "html" },
      { kind: "status", status: 503, times: 5 },
    ]) {
      await gw.fault(fault);
      responses.push(await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: `fault ${fault.kind}` }, key));
    }
    responses.push(await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: "x" }, { authorization: "Bearer nope" }));
    const wrongKey = gateway({ TOGETHER_API_KEY: "another-provider-key-777" });
    responses.push(await wrongKey.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: "x" }));

    const everything = [...lines];
    for (const res of responses) {
      everything.push(await res.text());
      for (const [name, value] of res.headers) everything.push(`${name}: ${value}`);
    }
    expect(responses.map((r) => r.status)).toEqual([200, 200, 502, 429, 504, 502, 502, 401, 502]);
    for (const text of everything) {
      expect(text).not.toContain(STAND_IN_API_KEY);
      expect(text).not.toContain("another-provider-key-777");
      expect(text).not.toContain(TEST_SERVER_KEY_1);
    }
    const jsonLines = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(jsonLines.length).toBeGreaterThan(5);
    for (const line of jsonLines) expect(line.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
