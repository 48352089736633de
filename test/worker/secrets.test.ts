import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { STAND_IN_API_KEY } from "../upstream/together-stand-in";
import { WORKERS_AI_STAND_IN_ACCOUNT } from "../upstream/workers-ai-stand-in";
import { allProviders, gateway, upstreamURL } from "./gateway";

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

describe("request ids and paths", () => {
  afterEach(() => vi.restoreAllMocks());

  it("Should make its own request id whatever the client sends, echo the client's separately, and use its own as rerank's id", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const gw = gateway({ LOG_REQUESTS: "all" });
    const rerank = { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["d"] };
    const res = await gw.post("/v1/rerank", rerank, { "x-request-id": "chosen-by-client" });
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-client-request-id")).toBe("chosen-by-client");
    expect(((await res.json()) as any).id).toBe(id);
    const line = JSON.parse(lines.find((l) => l.includes(id!))!);
    expect(line).toMatchObject({ request_id: id, client_request_id: "chosen-by-client" });
    // A second request with the same client id still gets an id of its own; an unfit one is not echoed.
    const again = await gw.post("/v1/rerank", rerank, { "x-request-id": "chosen-by-client" });
    expect(again.headers.get("x-request-id")).not.toBe(id);
    const odd = await gw.post("/v1/rerank", rerank, { "x-request-id": `${"x".repeat(200)}` });
    expect(odd.headers.get("x-client-request-id")).toBeNull();
  });

  it("Should tell the client which variable to check on an upstream 404, and keep the path (with the account id) for the log", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
    const gw = gateway((tenant) => ({
      ...allProviders(tenant),
      MODELS: "",
      TOGETHER_API_KEY: "",
      WORKERS_AI_BASE_URL: `${upstreamURL}/t/${tenant}/not-the-api`,
      UPSTREAM_RETRIES: "0",
    }));
    const res = await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: "where to" });
    const text = await res.text();
    expect(res.status, text).toBe(502);
    expect(JSON.parse(text).error.code).toBe("upstream_not_found");
    expect(text).toContain("WORKERS_AI_BASE_URL");
    expect(text).not.toContain(WORKERS_AI_STAND_IN_ACCOUNT);
    expect(text).not.toContain("/accounts/");
    expect(warnings.some((l) => l.includes(`/accounts/${WORKERS_AI_STAND_IN_ACCOUNT}/`))).toBe(true);
  });
});
