// The attacks of issue 16 (request side), each as a request anyone with a token could send: the
// gateway answers within its caps or refuses with a 400 naming the param and the setting, never a 500.
import { describe, expect, it } from "vitest";
import { TEST_SERVER_KEY_1, TEST_SERVER_KEY_2 } from "../setup/test-keys";
import { openAiStandInVector } from "../upstream/openai-stand-in";
import { allProviders, decodeBase64Vector, gateway } from "./gateway";

const LARGE = "text-embedding-3-large"; // 3072 dimensions, through the OpenAI stand-in

async function refusal(res: Response, param: string, setting?: string) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as any;
  expect(body.error.param).toBe(param);
  if (setting) expect(body.error.message).toContain(setting);
  return body.error as { message: string; code: string; param: string };
}

describe("bounded responses (finding 1)", () => {
  it("Should answer a large float hit (streamed) whose repeated inputs carry the same vector as base64 says", async () => {
    const gw = gateway(allProviders);
    const input = [...Array.from({ length: 300 }, () => "a"), "b"];
    const b64 = (await (await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" })).json()) as any;
    const res = await gw.post("/v1/embeddings", { model: LARGE, input });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("HIT");
    const body = (await res.json()) as any;
    expect(body.data).toHaveLength(301);
    // A full hit bills nothing; the usage still closes the streamed body.
    expect(body.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
    for (const i of [0, 150, 299, 300]) {
      expect(body.data[i].index).toBe(i);
      expect(body.data[i].embedding).toEqual(Array.from(decodeBase64Vector(b64.data[i].embedding)));
    }
    expect(body.data[300].embedding).not.toEqual(body.data[0].embedding);
  });

  it("Should stream a large miss (several upstream answers read in one buffer each) with every vector as the upstream gave it", async () => {
    const gw = gateway(allProviders);
    // 400 x 3072 values as base64 is a 6.5 MB body: streamed, from three upstream answers (170 a call).
    const input = Array.from({ length: 400 }, (_, i) => `streamed miss ${i}`);
    const res = await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("MISS");
    const body = (await res.json()) as any;
    expect(body.data).toHaveLength(400);
    body.data.forEach((item: any, i: number) => {
      expect(item.index).toBe(i);
      expect(decodeBase64Vector(item.embedding)).toEqual(openAiStandInVector(LARGE, input[i]));
    });
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("Should refuse, by default, the 8 KB request that printed ~254 MB of float JSON: 2048 x 'a' on 3072 dimensions", async () => {
    const gw = gateway(allProviders);
    const res = await gw.post("/v1/embeddings", { model: LARGE, input: Array.from({ length: 2048 }, () => "a") });
    const error = await refusal(res, "input", "MAX_RESPONSE_VALUES");
    expect(error.message).toContain("2097152");
    expect((await gw.stats()).calls.openai).toBe(0);
  });

  it("Should take, by default, 682 inputs of 3072 dimensions in one request and tell a caller sending more how many fit", async () => {
    const gw = gateway(allProviders);
    const input = Array.from({ length: 683 }, (_, i) => `large ${i}`);
    const error = await refusal(
      await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" }),
      "input",
      "MAX_RESPONSE_VALUES",
    );
    expect(error.message).toContain("at most 682 inputs a request");
    expect((await gw.stats()).calls.openai).toBe(0);
    const fits = await gw.post("/v1/embeddings", { model: LARGE, input: input.slice(0, 682), encoding_format: "base64" });
    expect(fits.status).toBe(200);
    expect(((await fits.json()) as any).data).toHaveLength(682);
  });

  it("Should refuse a float answer over MAX_FLOAT_VALUES, pointing to base64, and serve the same request as base64", async () => {
    const gw = gateway((t) => ({ ...allProviders(t), MAX_FLOAT_VALUES: "1000000" }));
    const input = Array.from({ length: 682 }, () => "a");
    const error = await refusal(await gw.post("/v1/embeddings", { model: LARGE, input }), "encoding_format", "MAX_FLOAT_VALUES");
    expect(error.code).toBe("limit_exceeded");
    expect(error.message).toContain('"base64"');
    expect((await gw.stats()).calls.openai).toBe(0);
    const b64 = await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" });
    expect(b64.status).toBe(200);
  });

  it("Should refuse an answer over MAX_RESPONSE_VALUES in any encoding, before any upstream call", async () => {
    const gw = gateway((t) => ({ ...allProviders(t), MAX_RESPONSE_VALUES: "100000" }));
    const input = Array.from({ length: 40 }, (_, i) => `text ${i}`);
    await refusal(await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" }), "input", "MAX_RESPONSE_VALUES");
    expect((await gw.stats()).calls.openai).toBe(0);
    // Shortened vectors print fewer numbers but the gateway still holds the full ones: 40 x 3072 counts.
    const short = await gw.post("/v1/embeddings", { model: LARGE, input, dimensions: 256 });
    await refusal(short, "input", "MAX_RESPONSE_VALUES");
  });
});

const RERANK = "Salesforce/Llama-Rank-v1";
const postRaw = (gw: ReturnType<typeof gateway>, path: string, body: string) =>
  gw.request(path, { method: "POST", body, headers: { "content-type": "application/json" } });

describe("rank_fields and nesting (findings 2, 3)", () => {
  it("Should refuse more than MAX_RANK_FIELDS rank_fields with a 400 naming rank_fields, before any upstream call", async () => {
    const gw = gateway();
    const rank_fields = Array.from({ length: 200_000 }, (_, i) => `f${i}`);
    const documents = Array.from({ length: 10 }, () => ({}));
    const error = await refusal(
      await gw.post("/v1/rerank", { model: RERANK, query: "q", documents, rank_fields }),
      "rank_fields",
      "MAX_RANK_FIELDS",
    );
    expect(error.message).toContain("64");
    const just = await gw.post("/v1/rerank", {
      model: RERANK,
      query: "q",
      documents: [{ f0: "x" }],
      rank_fields: rank_fields.slice(0, 65),
    });
    await refusal(just, "rank_fields");
    expect((await gw.stats()).calls.rerank).toBe(0);
  });

  it("Should answer object documents ranked by 64 fields (the bench measures 1,000 of them)", async () => {
    const gw = gateway();
    const rank_fields = Array.from({ length: 64 }, (_, i) => `f${i}`);
    const documents = Array.from({ length: 100 }, (_, d) => Object.fromEntries(rank_fields.map((f) => [f, `${f} of ${d}`])));
    const res = await gw.post("/v1/rerank", { model: RERANK, query: "q", documents, rank_fields, top_n: 3 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).results).toHaveLength(3);
  });

  it("Should refuse a document nested 200,000 levels deep with a 400 naming it, never a 500", async () => {
    const gw = gateway();
    const deep = `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`;
    const res = await postRaw(gw, "/v1/rerank", `{"model":"${RERANK}","query":"q","documents":[{"t":"ok"},${deep}]}`);
    await refusal(res, "documents[1]", "MAX_DOCUMENT_DEPTH");
    expect((await gw.stats()).calls.rerank).toBe(0);
  });

  it("Should refuse object documents with more fields than MAX_DOCUMENT_MEMBERS before parsing them", async () => {
    const gw = gateway();
    const wide = (d: number) => Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`d${d}f${i}`, 1]));
    const res = await gw.post("/v1/rerank", { model: RERANK, query: "q", documents: [wide(0), wide(1)] });
    const error = await refusal(res, "documents", "MAX_DOCUMENT_MEMBERS");
    expect(error.message).toContain("65536");
    expect((await gw.stats()).calls.rerank).toBe(0);
  });

  it("Should accept an object document 32 levels deep and refuse one 33 levels deep", async () => {
    const gw = gateway();
    const nested = (levels: number) => JSON.parse(`${'{"a":'.repeat(levels - 1)}{"t":"x"}${"}".repeat(levels - 1)}`);
    expect((await gw.post("/v1/rerank", { model: RERANK, query: "q", documents: [nested(32)] })).status).toBe(200);
    await refusal(
      await gw.post("/v1/rerank", { model: RERANK, query: "q", documents: [nested(33)] }),
      "documents[0]",
      "MAX_DOCUMENT_DEPTH",
    );
  });
});

describe("cheap refusals first (finding 3)", () => {
  it("Should refuse too many inputs before parsing the body: what follows the limit is never read", async () => {
    const gw = gateway();
    // Past the 2049th input the body is not even JSON: a gateway that parses first answers invalid_json.
    const body = `{"model":"BAAI/bge-large-en-v1.5","input":[${'"a",'.repeat(2049)}"a", this is not JSON`;
    const error = await refusal(await postRaw(gw, "/v1/embeddings", body), "input", "MAX_INPUTS");
    expect(error.code).toBe("limit_exceeded");
  });

  it("Should refuse 1.9 million one-letter inputs with the same 400", async () => {
    const gw = gateway();
    const body = `{"model":"BAAI/bge-large-en-v1.5","input":[${'"a",'.repeat(1_900_000)}"a"]}`;
    await refusal(await postRaw(gw, "/v1/embeddings", body), "input", "MAX_INPUTS");
    expect((await gw.stats()).calls.embeddings).toBe(0);
  });

  it("Should refuse a text over its limit before parsing, naming the input and counting escapes as one character", async () => {
    const gw = gateway({ MAX_INPUT_CHARS: "10" });
    // Ten characters written with escapes are ten characters, not sixty.
    const ok = `{"model":"BAAI/bge-large-en-v1.5","input":["${"\\u0041".repeat(9)}\\n"]}`;
    expect((await postRaw(gw, "/v1/embeddings", ok)).status).toBe(200);
    const tooLong = `{"model":"BAAI/bge-large-en-v1.5","input":["ok","${"b".repeat(11)}", not JSON`;
    await refusal(await postRaw(gw, "/v1/embeddings", tooLong), "input[1]", "MAX_INPUT_CHARS");
    const query = `{"model":"${RERANK}","query":"${"q".repeat(8193)}", not JSON`;
    await refusal(await postRaw(gw, "/v1/rerank", query), "query", "MAX_QUERY_CHARS");
  });

  it("Should refuse too many documents before parsing", async () => {
    const gw = gateway();
    const body = `{"model":"${RERANK}","query":"q","documents":[${'{"t":"d"},'.repeat(1001)} not JSON`;
    await refusal(await postRaw(gw, "/v1/rerank", body), "documents", "MAX_DOCUMENTS");
  });

  it("Should refuse a model name longer than any model id instead of echoing it in a 404", async () => {
    const gw = gateway();
    const res = await gw.post("/v1/embeddings", { model: "m".repeat(1_000_000), input: "x" });
    const error = await refusal(res, "model");
    expect(error.message.length).toBeLessThan(1000);
  });

  it("Should refuse a body that is not a JSON object, however deep, with a 400", async () => {
    const gw = gateway();
    const res = await postRaw(gw, "/v1/embeddings", "[".repeat(1_000_000));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.param).toBeNull();
  });
});

const ORIGIN = "https://app.example.com";
const SERVER_KEY = { authorization: `Bearer ${TEST_SERVER_KEY_1}` };
const OTHER_KEY = { authorization: `Bearer ${TEST_SERVER_KEY_2}` };
/** A token as a page gets it: minted by a backend through POST /v1/tokens with its server key. */
async function pageToken(gw: ReturnType<typeof gateway>, key = SERVER_KEY, sub = "page-user"): Promise<Record<string, string>> {
  const res = await gw.post("/v1/tokens", { sub, origin: ORIGIN }, key);
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  return { authorization: `Bearer ${token}`, origin: ORIGIN };
}
const EMBED = "BAAI/bge-large-en-v1.5";

describe("no-cache only for server keys (finding 4)", () => {
  it("Should answer a token's no-cache from the cache, with no upstream call, and say the directive was ignored", async () => {
    const gw = gateway({ AUTH_MODE: "token" });
    const token = await pageToken(gw);
    expect((await gw.post("/v1/embeddings", { model: EMBED, input: ["one", "two"] }, token)).headers.get("x-cache")).toBe("MISS");
    const again = await gw.post("/v1/embeddings", { model: EMBED, input: ["one", "two"] }, { ...token, "cache-control": "no-cache" });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.headers.get("x-cache-directive-ignored")).toBe("no-cache");
    // The page that sent it can read that header.
    expect(again.headers.get("access-control-expose-headers")).toContain("X-Cache-Directive-Ignored");
    expect((await gw.stats()).embedded).toEqual({ one: 1, two: 1 });
  });

  it("Should ignore no-cache in open mode too, and honour it for a server key", async () => {
    const gw = gateway({ AUTH_MODE: "token" });
    const open = gateway({ AUTH_MODE: "open" }, gw.tenant);
    await open.post("/v1/embeddings", { model: EMBED, input: "shared" });
    const anonymous = await open.post("/v1/embeddings", { model: EMBED, input: "shared" }, { "cache-control": "no-cache" });
    expect(anonymous.headers.get("x-cache")).toBe("HIT");
    expect(anonymous.headers.get("x-cache-directive-ignored")).toBe("no-cache");
    const keyed = await gw.post("/v1/embeddings", { model: EMBED, input: "shared" }, { ...SERVER_KEY, "cache-control": "no-cache" });
    expect(keyed.headers.get("x-cache")).toBe("MISS");
    expect(keyed.headers.get("x-cache-directive-ignored")).toBeNull();
    expect((await gw.stats()).embedded).toEqual({ shared: 2 });
  });

  it("Should ignore a token's no-cache on rerank as well", async () => {
    const gw = gateway({ AUTH_MODE: "token" });
    const token = await pageToken(gw);
    const body = { model: RERANK, query: "q", documents: ["a", "b"] };
    await gw.post("/v1/rerank", body, token);
    const again = await gw.post("/v1/rerank", body, { ...token, "cache-control": "no-cache" });
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.headers.get("x-cache-directive-ignored")).toBe("no-cache");
    expect((await gw.stats()).calls.rerank).toBe(1);
  });
});

describe("probing the cache (finding 13)", () => {
  it("Should not tell one server key's callers what another's embedded, with CACHE_SCOPE=subject", async () => {
    const gw = gateway({ AUTH_MODE: "token", CACHE_SCOPE: "subject" });
    await gw.post("/v1/embeddings", { model: EMBED, input: "a secret text" }, SERVER_KEY);
    const other = await gw.post("/v1/embeddings", { model: EMBED, input: "a secret text" }, OTHER_KEY);
    expect(other.headers.get("x-cache")).toBe("MISS");
    await gw.post("/v1/embeddings", { model: EMBED, input: "only key one's text" }, SERVER_KEY);
    // A page with the other backend's token cannot find out what the first backend embedded either.
    const otherPage = await gw.post("/v1/embeddings", { model: EMBED, input: "only key one's text" }, await pageToken(gw, OTHER_KEY));
    expect(otherPage.headers.get("x-cache")).toBe("MISS");
    const rerank = { model: RERANK, query: "who", documents: ["a secret text"] };
    await gw.post("/v1/rerank", rerank, SERVER_KEY);
    expect((await gw.post("/v1/rerank", rerank, OTHER_KEY)).headers.get("x-cache")).toBe("MISS");
    expect((await gw.post("/v1/rerank", rerank, SERVER_KEY)).headers.get("x-cache")).toBe("HIT");
    expect((await gw.stats()).embedded["a secret text"]).toBe(2);
  });

  it("Should share one cache among all callers by default (CACHE_SCOPE=shared)", async () => {
    const gw = gateway({ AUTH_MODE: "token" });
    await gw.post("/v1/embeddings", { model: EMBED, input: "a common text" }, SERVER_KEY);
    const other = await gw.post("/v1/embeddings", { model: EMBED, input: "a common text" }, OTHER_KEY);
    expect(other.headers.get("x-cache")).toBe("HIT");
  });
});

describe("the local models' own limit (LOCAL_MAX_CHARS)", () => {
  const local = { MODELS: "", TOGETHER_API_KEY: "", LOCAL_PROVIDER: "on", LOCAL_MAX_CHARS: "1000" };

  it("Should refuse local embeddings of more characters than LOCAL_MAX_CHARS, and accept them up to it", async () => {
    const gw = gateway(local);
    const input = Array.from({ length: 10 }, () => "x".repeat(100));
    expect((await gw.post("/v1/embeddings", { model: "local/lexical-embed", input })).status).toBe(200);
    const over = await gw.post("/v1/embeddings", { model: "local/lexical-embed", input: [...input, "y"] });
    await refusal(over, "input", "LOCAL_MAX_CHARS");
  });

  it("Should count BM25's query once per document against LOCAL_MAX_CHARS", async () => {
    const gw = gateway(local);
    const documents = Array.from({ length: 10 }, () => "d".repeat(50));
    const fits = await gw.post("/v1/rerank", { model: "local/bm25-rerank", query: "q".repeat(50), documents });
    expect(fits.status).toBe(200);
    const over = await gw.post("/v1/rerank", { model: "local/bm25-rerank", query: "q".repeat(51), documents });
    await refusal(over, "documents", "LOCAL_MAX_CHARS");
  });

  it("Should not apply the local limit to upstream models", async () => {
    const gw = gateway({ LOCAL_PROVIDER: "on", LOCAL_MAX_CHARS: "10" });
    expect((await gw.post("/v1/embeddings", { model: EMBED, input: "longer than ten characters" })).status).toBe(200);
  });
});
