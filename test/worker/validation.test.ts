import { describe, expect, it } from "vitest";
import { gateway } from "./gateway";

async function expectRefusal(res: Response, status: number, param: string | null, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as any;
  expect(typeof body.error.message).toBe("string");
  expect(typeof body.error.type).toBe("string");
  expect(body.error.param).toBe(param);
  if (code) expect(body.error.code).toBe(code);
  return body;
}

const MODEL = "BAAI/bge-large-en-v1.5";

describe("bad input is a clear 4xx and never reaches the upstream", () => {
  const cases: Array<[string, unknown, number, string | null, string?]> = [
    ["missing model", { input: "x" }, 400, "model", "missing_parameter"],
    ["missing input", { model: MODEL }, 400, "input", "missing_parameter"],
    ["input of the wrong type", { model: MODEL, input: 42 }, 400, "input"],
    ["an empty input list", { model: MODEL, input: [] }, 400, "input"],
    ["an empty string input", { model: MODEL, input: [""] }, 400, "input[0]"],
    ["a non-string in the input list", { model: MODEL, input: ["ok", 3] }, 400, "input[1]"],
    ["an unknown encoding_format", { model: MODEL, input: "x", encoding_format: "int8" }, 400, "encoding_format"],
    ["an unknown field", { model: MODEL, input: "x", temperature: 1 }, 400, "temperature", "unknown_parameter"],
    ["dimensions other than the model's", { model: MODEL, input: "x", dimensions: 256 }, 400, "dimensions", "unsupported_parameter"],
    ["too many inputs", { model: MODEL, input: Array.from({ length: 2049 }, (_, i) => `t${i}`) }, 400, "input", "limit_exceeded"],
    ["an input too long", { model: MODEL, input: ["ok", "x".repeat(32_769)] }, 400, "input[1]", "limit_exceeded"],
    ["an unknown model", { model: "nope/never", input: "x" }, 404, "model", "model_not_found"],
    ["a rerank model for embeddings", { model: "Salesforce/Llama-Rank-v1", input: "x" }, 400, "model", "model_type_mismatch"],
  ];
  for (const [name, body, status, param, code] of cases) {
    it(`Should refuse embeddings with ${name}`, async () => {
      const gw = gateway();
      await expectRefusal(await gw.post("/v1/embeddings", body), status, param, code);
      expect((await gw.stats()).calls.embeddings).toBe(0);
    });
  }

  const rerankCases: Array<[string, unknown, number, string | null, string?]> = [
    ["no query", { model: "Salesforce/Llama-Rank-v1", documents: ["a"] }, 400, "query"],
    ["no documents", { model: "Salesforce/Llama-Rank-v1", query: "q", documents: [] }, 400, "documents"],
    ["mixed documents", { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["a", { text: "b" }] }, 400, "documents"],
    ["an empty document", { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["a", ""] }, 400, "documents[1]"],
    ["a bad top_n", { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["a"], top_n: 0 }, 400, "top_n"],
    [
      "too many documents",
      { model: "Salesforce/Llama-Rank-v1", query: "q", documents: Array.from({ length: 1001 }, () => "d") },
      400,
      "documents",
      "limit_exceeded",
    ],
    ["a query too long", { model: "Salesforce/Llama-Rank-v1", query: "q".repeat(8193), documents: ["a"] }, 400, "query", "limit_exceeded"],
    ["an embedding model", { model: MODEL, query: "q", documents: ["a"] }, 400, "model", "model_type_mismatch"],
  ];
  for (const [name, body, status, param, code] of rerankCases) {
    it(`Should refuse rerank with ${name}`, async () => {
      const gw = gateway();
      await expectRefusal(await gw.post("/v1/rerank", body), status, param, code);
      expect((await gw.stats()).calls.rerank).toBe(0);
    });
  }

  it("Should refuse invalid JSON with a 400", async () => {
    const gw = gateway();
    const res = await gw.request("/v1/embeddings", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    await expectRefusal(res, 400, null, "invalid_json");
  });

  it("Should refuse a body that is not JSON-typed with a 415 that says so", async () => {
    const gw = gateway();
    const res = await gw.request("/v1/embeddings", { method: "POST", body: "model=x", headers: { "content-type": "text/plain" } });
    await expectRefusal(res, 415, null, "invalid_content_type");
  });

  it("Should answer an empty body without a Content-Type as a missing field, and a non-empty one as 415", async () => {
    const gw = gateway();
    // Bytes, not strings: a string body would get an implicit text/plain Content-Type.
    const empty = await gw.request("/v1/embeddings", { method: "POST", body: new Uint8Array(0) });
    await expectRefusal(empty, 400, "model", "missing_parameter");
    const bytes = new TextEncoder().encode(JSON.stringify({ model: MODEL, input: "x" }));
    const untyped = await gw.request("/v1/embeddings", { method: "POST", body: bytes });
    await expectRefusal(untyped, 415, null, "invalid_content_type");
  });

  it("Should refuse a body over MAX_BODY_BYTES with 413 before reading it", async () => {
    const gw = gateway({ MAX_BODY_BYTES: "2048" });
    const res = await gw.post("/v1/embeddings", { model: MODEL, input: "y".repeat(4000) });
    const body = await expectRefusal(res, 413, null, "body_too_large");
    expect(body.error.message).toContain("2048");
    expect((await gw.stats()).calls.embeddings).toBe(0);
  });

  it("Should refuse a streamed body over the limit even without Content-Length", async () => {
    const gw = gateway({ MAX_BODY_BYTES: "2048" });
    const chunk = new TextEncoder().encode("x".repeat(1024));
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await gw.request("/v1/embeddings", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    await expectRefusal(res, 413, null, "body_too_large");
  });

  it("Should answer unknown routes with a JSON 404", async () => {
    const gw = gateway();
    await expectRefusal(await gw.request("/v1/chat/completions", { method: "POST" }), 404, null, "route_not_found");
  });

  it("Should report a misconfiguration by variable name without leaking values", async () => {
    const gw = gateway({ CACHE_TTL_SECONDS: "soon" });
    const body = await expectRefusal(await gw.post("/v1/embeddings", { model: MODEL, input: "x" }), 500, null, "gateway_misconfigured");
    expect(body.error.message).toContain("CACHE_TTL_SECONDS");
  });
});

describe("models and health", () => {
  it("Should list the configured models with type, dimensions and context length", async () => {
    const gw = gateway();
    const body = (await (await gw.request("/v1/models")).json()) as any;
    const bge = body.data.find((m: any) => m.id === MODEL);
    expect(bge).toMatchObject({ object: "model", type: "embedding", dimensions: 1024, context_length: 512 });
    expect(body.data.find((m: any) => m.id === "Salesforce/Llama-Rank-v1").type).toBe("rerank");
  });

  it("Should list only the built-in models whose provider is configured when MODELS is not set", async () => {
    const gw = gateway({ MODELS: "" });
    const body = (await (await gw.request("/v1/models")).json()) as any;
    // Only TOGETHER_API_KEY is set here: Together's rerank models, none of Workers AI's or OpenAI's.
    expect(body.data.map((m: any) => [m.id, m.provider])).toEqual([
      ["Salesforce/Llama-Rank-V1", "together"],
      ["mixedbread-ai/Mxbai-Rerank-Large-V2", "together"],
    ]);
  });

  it("Should answer /health and publish an OpenAPI document", async () => {
    const gw = gateway();
    expect(await (await gw.request("/health")).json()).toEqual({ status: "ok" });
    const doc = (await (await gw.request("/openapi.json")).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/embeddings", "/v1/rerank", "/v1/models"]));
  });
});
