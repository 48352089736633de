import { describe, expect, it } from "vitest";
import { sigmoid } from "../../worker/providers/workers-ai";
import { DOCS_ANIMALS, DOCS_QUERY } from "../setup/docs-examples";
import { standInScore } from "../upstream/deterministic";
import { ECHO_KEY_MARKER, LEAKED_CREDENTIAL, TOO_LONG_MARKER } from "../upstream/markers";
import { OPENAI_STAND_IN_KEY, openAiStandInVector } from "../upstream/openai-stand-in";
import { WORKERS_AI_STAND_IN_TOKEN, workersAiRerankScore, workersAiStandInVector } from "../upstream/workers-ai-stand-in";
import { allProviders, decodeBase64Vector, gateway } from "./gateway";

const QUERY = DOCS_QUERY;
const DOCS_RERANK = DOCS_ANIMALS;

/** The built-in catalogue (MODELS unset), with credentials for Workers AI and Together only. */
const workersAiAndTogether = (tenant: string) => {
  const { WORKERS_AI_BASE_URL, WORKERS_AI_ACCOUNT_ID, WORKERS_AI_API_TOKEN } = allProviders(tenant);
  return { MODELS: "", WORKERS_AI_BASE_URL, WORKERS_AI_ACCOUNT_ID, WORKERS_AI_API_TOKEN };
};

const json = async (res: Response) => (await res.json()) as any;

describe("providers: the Together docs' examples, unchanged", () => {
  it("Should answer the docs' embeddings curl body from Workers AI, with BGE's CLS pooling", async () => {
    const gw = gateway(workersAiAndTogether);
    const res = await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: "New York City" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-provider")).toBe("workers-ai");
    const body = await json(res);
    expect(body.model).toBe("BAAI/bge-large-en-v1.5");
    expect(Float32Array.from(body.data[0].embedding)).toEqual(workersAiStandInVector("@cf/baai/bge-large-en-v1.5", "New York City", "cls"));
    const stats = await gw.stats();
    expect(stats.calls["workers-ai"]).toBe(1);
    expect(stats.bodies[0]).toEqual({ pooling: "cls", text: ["New York City"] });
    expect(stats.authHeaders[0]).toBe(`Bearer ${WORKERS_AI_STAND_IN_TOKEN}`);
  });

  it("Should answer a batch of three in input order", async () => {
    const gw = gateway(workersAiAndTogether);
    const input = [
      "Our solar system orbits the Milky Way galaxy at about 515,000 mph",
      "Jupiter's Great Red Spot is a storm",
      "The Moon drifts away from Earth",
    ];
    const body = await json(await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input }));
    expect(body.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
    input.forEach((text, i) =>
      expect(Float32Array.from(body.data[i].embedding)).toEqual(workersAiStandInVector("@cf/baai/bge-large-en-v1.5", text, "cls")),
    );
  });

  it("Should answer the docs' rerank curl body (Salesforce/Llama-Rank-v1, object documents) from Together, with top_n", async () => {
    const gw = gateway(workersAiAndTogether);
    const res = await gw.post("/v1/rerank", { model: "Salesforce/Llama-Rank-v1", query: QUERY, documents: DOCS_RERANK, top_n: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-provider")).toBe("together");
    const body = await json(res);
    expect(body.model).toBe("Salesforce/Llama-Rank-v1");
    expect(body.results).toHaveLength(2);
    const best = DOCS_RERANK.map((d, index) => ({ index, score: standInScore(QUERY, JSON.stringify(d)) })).sort(
      (a, b) => b.score - a.score,
    );
    expect(body.results.map((r: any) => r.index)).toEqual(best.slice(0, 2).map((b) => b.index));
    expect(Object.keys(body.usage).sort()).toEqual(["completion_tokens", "prompt_tokens", "total_tokens"]);
  });

  it("Should name the variables to set when no configured provider serves a model, without calling anyone", async () => {
    const gw = gateway({ MODELS: "" });
    const res = await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: "New York City" });
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body.error.code).toBe("model_not_configured");
    expect(body.error.message).toContain("WORKERS_AI_ACCOUNT_ID and WORKERS_AI_API_TOKEN");
    expect((await gw.stats()).bodies).toHaveLength(0);
  });
});

describe("providers: the catalogue and the cache", () => {
  it("Should share one cache entry between the @cf alias and the BAAI id", async () => {
    const gw = gateway(workersAiAndTogether);
    const first = await gw.post("/v1/embeddings", { model: "@cf/baai/bge-base-en-v1.5", input: ["shared text"] });
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await gw.post("/v1/embeddings", { model: "BAAI/bge-base-en-v1.5", input: ["shared text"] });
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect((await json(second)).model).toBe("BAAI/bge-base-en-v1.5");
    expect((await gw.stats()).calls["workers-ai"]).toBe(1);
  });

  const twoRoutes = (order: string[]) => (tenant: string) => ({
    ...allProviders(tenant),
    MEMORY_CACHE_BYTES: "0",
    MODELS: JSON.stringify([
      {
        id: "test/two-routes",
        type: "embedding",
        dimensions: 1024,
        max_batch: 16,
        routes: order.map((p) =>
          p === "together"
            ? { provider: "together", model: "BAAI/bge-large-en-v1.5" }
            : { provider: "workers-ai", model: "@cf/baai/bge-large-en-v1.5" },
        ),
      },
    ]),
  });

  it("Should fall back to the next route when the first fails upstream, and say which provider answered", async () => {
    const gw = gateway({ UPSTREAM_RETRIES: "0" });
    const gwTwo = gateway((tenant) => ({ ...twoRoutes(["workers-ai", "together"])(tenant), UPSTREAM_RETRIES: "0" }), gw.tenant);
    await gw.fault({ kind: "status", status: 503 });
    const res = await gwTwo.post("/v1/embeddings", { model: "test/two-routes", input: "falls back" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-provider")).toBe("together");
    const stats = await gw.stats();
    expect(stats.bodyFormats).toEqual(["workers-ai", "together"]);
  });

  it("Should fall back when the first route's provider does not serve the model (a stopped endpoint)", async () => {
    const gw = gateway((tenant) => ({
      ...allProviders(tenant),
      MODELS: JSON.stringify([
        {
          id: "test/stopped",
          type: "embedding",
          dimensions: 1024,
          routes: [
            { provider: "together", model: "acme/stopped-endpoint" },
            { provider: "workers-ai", model: "@cf/baai/bge-large-en-v1.5" },
          ],
        },
      ]),
    }));
    const res = await gw.post("/v1/embeddings", { model: "test/stopped", input: "still served" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-provider")).toBe("workers-ai");
  });

  it("Should serve a fallback's earlier answers from its own cache while the first route is still down", async () => {
    for (const memory of ["0", "33554432"]) {
      const gw = gateway((tenant) => ({
        ...twoRoutes(["workers-ai", "together"])(tenant),
        MEMORY_CACHE_BYTES: memory,
        UPSTREAM_RETRIES: "0",
      }));
      for (let i = 0; i < 3; i++) {
        await gw.fault({ kind: "status", status: 503 });
        expect((await gw.post("/v1/embeddings", { model: "test/two-routes", input: "during an outage" })).status).toBe(200);
      }
      // Together computed it once; later requests still try Workers AI first, then reuse Together's answer.
      expect((await gw.stats()).bodyFormats).toEqual(["workers-ai", "together", "workers-ai", "workers-ai"]);
    }
  });

  it("Should not fall back when the first route refuses the input itself", async () => {
    const gwTwo = gateway(twoRoutes(["workers-ai", "together"]));
    const res = await gwTwo.post("/v1/embeddings", { model: "test/two-routes", input: `far too long ${TOO_LONG_MARKER}` });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("upstream_rejected");
    expect((await gwTwo.stats()).bodyFormats).toEqual(["workers-ai"]);
  });

  it("Should keep the same text under two providers in two cache entries", async () => {
    const viaWorkersAi = gateway(twoRoutes(["workers-ai"]));
    const viaTogether = gateway(twoRoutes(["together"]), viaWorkersAi.tenant);
    await viaWorkersAi.post("/v1/embeddings", { model: "test/two-routes", input: "one text" });
    const other = await viaTogether.post("/v1/embeddings", { model: "test/two-routes", input: "one text" });
    expect(other.headers.get("x-cache")).toBe("MISS");
    expect(other.headers.get("x-provider")).toBe("together");
    expect((await viaWorkersAi.stats()).bodyFormats).toEqual(["workers-ai", "together"]);
  });

  it("Should answer dimensions: 256 on a matryoshka model from one cached full vector, re-normalised", async () => {
    const gw = gateway((tenant) => ({ ...allProviders(tenant), MODELS: "" }));
    const full = await gw.post("/v1/embeddings", { model: "text-embedding-3-small", input: "shorten me", encoding_format: "base64" });
    expect(full.headers.get("x-provider")).toBe("openai");
    const short = await gw.post("/v1/embeddings", { model: "text-embedding-3-small", input: "shorten me", dimensions: 256 });
    expect(short.headers.get("x-cache")).toBe("HIT");
    const vector = Float32Array.from((await json(short)).data[0].embedding);
    expect(vector).toHaveLength(256);
    const expected = openAiStandInVector("text-embedding-3-small", "shorten me", 256);
    vector.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    const stats = await gw.stats();
    expect(stats.calls.openai).toBe(1);
    // The gateway asks for the full vector (no `dimensions`), as base64.
    expect(stats.bodies[0]).toEqual({ model: "text-embedding-3-small", input: ["shorten me"], encoding_format: "base64" });
    expect(stats.authHeaders[0]).toBe(`Bearer ${OPENAI_STAND_IN_KEY}`);
  });

  it("Should refuse dimensions larger than a matryoshka model's size, and any other size for a fixed one", async () => {
    const gw = gateway((tenant) => ({ ...allProviders(tenant), MODELS: "" }));
    const tooBig = await gw.post("/v1/embeddings", { model: "text-embedding-3-small", input: "x", dimensions: 4096 });
    expect(tooBig.status).toBe(400);
    expect((await json(tooBig)).error).toMatchObject({ param: "dimensions", code: "unsupported_parameter" });
    const fixed = await gw.post("/v1/embeddings", { model: "text-embedding-ada-002", input: "x", dimensions: 256 });
    expect(fixed.status).toBe(400);
    expect((await gw.stats()).bodies).toHaveLength(0);
  });

  it("Should rerank through Workers AI with raw scores mapped into 0-1 by a sigmoid", async () => {
    const gw = gateway(workersAiAndTogether);
    const docs = ["llamas live in Peru", "pandas live in China", "a recipe for bread"];
    const body = await json(await gw.post("/v1/rerank", { model: "BAAI/bge-reranker-base", query: QUERY, documents: docs }));
    const expected = docs
      .map((d, index) => ({ index, relevance_score: sigmoid(workersAiRerankScore(QUERY, d)) }))
      .sort((a, b) => b.relevance_score - a.relevance_score);
    expect(body.results).toEqual(expected);
    for (const r of body.results) expect(r.relevance_score).toBeGreaterThan(0);
  });

  it("Should rerank through a Cohere-shaped upstream, cached per query-document pair", async () => {
    const gw = gateway((tenant) => ({ ...allProviders(tenant), MODELS: "" }));
    const docs = ["llamas live in Peru", "pandas live in China"];
    const first = await gw.post("/v1/rerank", { model: "rerank-v3.5", query: QUERY, documents: docs });
    expect(first.headers.get("x-provider")).toBe("cohere");
    const again = await gw.post("/v1/rerank", { model: "rerank-v3.5", query: QUERY, documents: [...docs].reverse(), top_n: 1 });
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect((await json(again)).results).toEqual([{ index: 1, relevance_score: standInScore(QUERY, docs[0]) }]);
    expect((await gw.stats()).calls.cohere).toBe(1);
  });
});

describe("providers: the local models, with no key at all", () => {
  const noKeys = { MODELS: "", TOGETHER_API_KEY: "", LOCAL_PROVIDER: "on" };

  it("Should list and serve only the local models when no provider key is set", async () => {
    const gw = gateway(noKeys);
    const models = await json(await gw.request("/v1/models"));
    expect(models.data.map((m: any) => [m.id, m.provider])).toEqual([
      ["local/lexical-embed", "local"],
      ["local/bm25-rerank", "local"],
    ]);
    const embedded = await gw.post("/v1/embeddings", {
      model: "local/lexical-embed",
      input: ["The llama is a camelid", "llamas are camelids"],
    });
    expect(embedded.status).toBe(200);
    expect(embedded.headers.get("x-provider")).toBe("local");
    const vectors = (await json(embedded)).data.map((d: any) => d.embedding);
    expect(vectors[0]).toHaveLength(384);
    const reranked = await json(
      await gw.post("/v1/rerank", {
        model: "local/bm25-rerank",
        query: "llama camelid",
        documents: ["bread recipe", "the llama is a camelid"],
      }),
    );
    expect(reranked.results[0].index).toBe(1);
    expect((await gw.stats()).bodies).toHaveLength(0);
  });

  it("Should cache local embeddings but never BM25 scores, which depend on the whole document set", async () => {
    const gw = gateway(noKeys);
    await gw.post("/v1/embeddings", { model: "local/lexical-embed", input: "cache me" });
    expect((await gw.post("/v1/embeddings", { model: "local/lexical-embed", input: "cache me" })).headers.get("x-cache")).toBe("HIT");
    const body = { model: "local/bm25-rerank", query: "llama", documents: ["llama", "bread"] };
    await gw.post("/v1/rerank", body);
    expect((await gw.post("/v1/rerank", body)).headers.get("x-cache")).toBe("MISS");
  });

  it("Should not serve the local models unless LOCAL_PROVIDER is on", async () => {
    const gw = gateway({ MODELS: "" });
    const res = await gw.post("/v1/embeddings", { model: "local/lexical-embed", input: "x" });
    expect(res.status).toBe(404);
    expect((await json(res)).error.message).toContain("LOCAL_PROVIDER=on");
  });
});

describe("providers: upstream trouble, per provider", () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ["workers-ai", "BAAI/bge-small-en-v1.5", { model: "BAAI/bge-small-en-v1.5", input: "x" }],
    ["openai", "text-embedding-3-large", { model: "text-embedding-3-large", input: "x" }],
    ["cohere", "rerank-v3.5", { model: "rerank-v3.5", query: "q", documents: ["x"] }],
    ["together", "mixedbread-ai/Mxbai-Rerank-Large-V2", { model: "mixedbread-ai/Mxbai-Rerank-Large-V2", query: "q", documents: ["x"] }],
  ];
  const setup = (tenant: string) => ({ ...allProviders(tenant), MODELS: "", UPSTREAM_RETRIES: "0", UPSTREAM_TIMEOUT_MS: "300" });
  const path = (body: Record<string, unknown>) => ("query" in body ? "/v1/rerank" : "/v1/embeddings");

  for (const [provider, , body] of cases) {
    it(`Should map ${provider}'s failures: auth 502, input refusal 400, 5xx 502, timeout 504, malformed 502, non-finite 502`, async () => {
      const gw = gateway(setup);
      const send = (extra: Record<string, unknown> = {}) => gw.post(path(body), { ...body, ...extra });
      const code = async (res: Response) => [res.status, (await json(res)).error?.code];

      const badKey = gateway(
        (tenant) => ({
          ...setup(tenant),
          WORKERS_AI_API_TOKEN: "wrong",
          OPENAI_API_KEY: "wrong",
          COHERE_API_KEY: "wrong",
          TOGETHER_API_KEY: "wrong",
        }),
        gw.tenant,
      );
      const auth = await badKey.post(path(body), body);
      expect(await code(auth.clone())).toEqual([502, "upstream_auth_failed"]);
      expect((await json(auth)).error.message).toMatch(/check [A-Z_]+/);

      const tooLong = "query" in body ? { documents: [`x ${TOO_LONG_MARKER}`] } : { input: `x ${TOO_LONG_MARKER}` };
      expect(await code(await send(tooLong))).toEqual([400, "upstream_rejected"]);

      const leaky = "query" in body ? { documents: [`x ${ECHO_KEY_MARKER}`] } : { input: `x ${ECHO_KEY_MARKER}` };
      const scrubbed = await json(await send(leaky));
      expect(scrubbed.error.code).toBe("upstream_rejected");
      expect(scrubbed.error.message).not.toContain(LEAKED_CREDENTIAL.split(" ")[1]);

      await gw.fault({ kind: "status", status: 500 });
      expect(await code(await send())).toEqual([502, "upstream_error"]);
      await gw.fault({ kind: "timeout" });
      expect(await code(await send())).toEqual([504, "upstream_timeout"]);
      await gw.fault({ kind: "malformed" });
      expect(await code(await send())).toEqual([502, "upstream_bad_response"]);
      await gw.fault({ kind: "non-finite" });
      expect(await code(await send())).toEqual([502, "upstream_bad_response"]);
      // Nothing broken was cached: the same request now succeeds from the upstream.
      const healthy = await send();
      expect(healthy.status).toBe(200);
      expect(healthy.headers.get("x-cache")).toBe("MISS");
    });
  }

  it("Should report a wrong base URL as a 502 naming the variable to check, never the path or the key", async () => {
    const gw = gateway((tenant) => ({ ...setup(tenant), OPENAI_BASE_URL: `${allProviders(tenant).OPENAI_BASE_URL}/nope` }));
    const res = await gw.post("/v1/embeddings", { model: "text-embedding-3-small", input: "x" });
    expect(res.status).toBe(502);
    const body = await json(res);
    expect(body.error.code).toBe("upstream_not_found");
    expect(body.error.message).not.toContain("/nope/embeddings");
    expect(body.error.message).toContain("OPENAI_BASE_URL");
    expect(JSON.stringify(body)).not.toContain(OPENAI_STAND_IN_KEY);
  });

  it("Should decode base64 vectors from an OpenAI-compatible upstream exactly", async () => {
    const gw = gateway((tenant) => ({ ...allProviders(tenant), MODELS: "" }));
    const body = await json(
      await gw.post("/v1/embeddings", { model: "text-embedding-ada-002", input: "exact", encoding_format: "base64" }),
    );
    expect(decodeBase64Vector(body.data[0].embedding)).toEqual(openAiStandInVector("text-embedding-ada-002", "exact"));
  });
});
