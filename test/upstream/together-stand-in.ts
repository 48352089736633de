// A Together-compatible upstream for tests and benchmarks: deterministic embeddings and rerank
// scores, per-tenant counters, and injectable faults. Base URL per tenant: `${url}/t/<tenant>/v1`
// (or `${url}/v1` for the default tenant), so concurrent test files never share counters or faults.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const STAND_IN_API_KEY = "test-provider-key-s3cr3t-4f9c2e";

/** Dimensions per model; any other model is a 404 like Together's. */
export const STAND_IN_MODELS: Record<string, { type: "embedding" | "rerank"; dimensions?: number }> = {
  "BAAI/bge-large-en-v1.5": { type: "embedding", dimensions: 1024 },
  "BAAI/bge-base-en-v1.5": { type: "embedding", dimensions: 768 },
  "togethercomputer/m2-bert-80M-8k-retrieval": { type: "embedding", dimensions: 768 },
  "intfloat/multilingual-e5-large-instruct": { type: "embedding", dimensions: 1024 },
  "test/tiny-embed": { type: "embedding", dimensions: 8 },
  "Salesforce/Llama-Rank-v1": { type: "rerank" },
  "mixedbread-ai/Mxbai-Rerank-Large-V2": { type: "rerank" },
};

export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  | { kind: "timeout" }
  | { kind: "reset" }
  | { kind: "malformed" }
  | { kind: "html" }
  | { kind: "wrong-dimensions" }
  | { kind: "delay"; ms: number };

interface TenantState {
  calls: { embeddings: number; rerank: number };
  /** How often each text (embedding input, or rerank document identity) was sent. */
  embedded: Record<string, number>;
  reranked: Record<string, number>;
  bodies: unknown[];
  faults: Array<Fault & { times: number }>;
  authHeaders: string[];
}

function newTenant(): TenantState {
  return { calls: { embeddings: 0, rerank: 0 }, embedded: {}, reranked: {}, bodies: [], faults: [], authHeaders: [] };
}

/** FNV-1a 32-bit hash: a seed for the deterministic vectors. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The vector the stand-in gives `text` under `model`: unit length, reproducible by tests. */
export function standInVector(model: string, text: string, dimensions: number): Float32Array {
  let state = hash32(model + "\u0000" + text) || 1;
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    v[i] = (state / 0xffffffff) * 2 - 1;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) v[i] /= norm;
  return v;
}

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);

/** Word-overlap relevance in [0, 1), plus a tiny hash term so ties are rare but stable. */
export function standInScore(query: string, document: string): number {
  const q = words(query);
  const d = words(document);
  let shared = 0;
  for (const w of q) if (d.has(w)) shared++;
  const overlap = q.size === 0 ? 0 : shared / q.size;
  return Math.round((overlap * 0.9 + (hash32(query + "|" + document) % 1000) / 10_000) * 1e6) / 1e6;
}

/** The text a rerank document stands for (object documents: JSON of the rank_fields). */
export function standInDocumentText(doc: unknown, rankFields?: string[]): string {
  if (typeof doc === "string") return doc;
  const o = doc as Record<string, unknown>;
  return JSON.stringify(rankFields ? Object.fromEntries(rankFields.map((f) => [f, o[f]])) : o);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, message: string) {
  sendJson(res, status, { error: { message, type: "invalid_request_error", param: null, code: null } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export interface StandIn {
  url: string;
  baseURL(tenant?: string): string;
  tenant(name?: string): TenantState;
  close(): Promise<void>;
}

export async function startStandIn(port = 0): Promise<StandIn> {
  const tenants = new Map<string, TenantState>();
  const tenant = (name = "default") => {
    let t = tenants.get(name);
    if (!t) tenants.set(name, (t = newTenant()));
    return t;
  };
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    const match = /^(?:\/t\/([^/]+))?\/(v1\/embeddings|v1\/rerank|_stats|_reset|_fault)$/.exec(req.url ?? "");
    if (!match) return error(res, 404, "not found");
    const state = tenant(match[1] && decodeURIComponent(match[1]));
    const route = match[2];
    const raw = await readBody(req);

    if (route === "_stats") return sendJson(res, 200, state);
    if (route === "_reset") {
      tenants.set(match[1] ?? "default", newTenant());
      return sendJson(res, 200, { ok: true });
    }
    if (route === "_fault") {
      const fault = JSON.parse(raw) as Fault & { times?: number };
      state.faults.push({ ...fault, times: fault.times ?? 1 });
      return sendJson(res, 200, { ok: true });
    }

    state.authHeaders.push(req.headers.authorization ?? "");
    if (req.headers.authorization !== `Bearer ${STAND_IN_API_KEY}`) return error(res, 401, "Invalid API key provided");

    let body: Record<string, any>;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(res, 400, "bad json");
    }
    state.bodies.push(body);
    const kind = route === "v1/embeddings" ? "embeddings" : "rerank";
    state.calls[kind]++;
    const model = STAND_IN_MODELS[body.model];
    if (!model) return error(res, 404, `Unable to access model ${body.model}`);

    let wrongDimensions = false;
    const fault = state.faults[0];
    if (fault) {
      if (--fault.times <= 0) state.faults.shift();
      switch (fault.kind) {
        case "status":
          res.writeHead(fault.status, { "content-type": "application/json", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) });
          return res.end(fault.body ?? JSON.stringify({ error: { message: `injected ${fault.status} (upstream secret detail)`, type: "server_error" } }));
        case "timeout":
          hanging.add(res);
          return; // never answers
        case "reset":
          return req.socket.destroy();
        case "malformed":
          res.writeHead(200, { "content-type": "application/json" });
          return res.end('{"object":"list","data":[{"embedding":[0.1,');
        case "html":
          res.writeHead(200, { "content-type": "text/html" });
          return res.end("<html><body>502 Bad Gateway</body></html>");
        case "wrong-dimensions":
          wrongDimensions = true;
          break;
        case "delay":
          await new Promise((r) => setTimeout(r, fault.ms));
          break;
      }
    }

    if (kind === "embeddings") {
      if (model.type !== "embedding") return error(res, 400, "not an embedding model");
      const inputs: string[] = typeof body.input === "string" ? [body.input] : body.input;
      for (const text of inputs) state.embedded[text] = (state.embedded[text] ?? 0) + 1;
      const dims = wrongDimensions ? model.dimensions! - 1 : model.dimensions!;
      const asBase64 = body.encoding_format === "base64";
      const data = inputs.map((text, index) => {
        const v = standInVector(body.model, text, dims);
        return { object: "embedding", index, embedding: asBase64 ? Buffer.from(v.buffer).toString("base64") : Array.from(v) };
      });
      const tokens = inputs.reduce((n, t) => n + words(t).size + 1, 0);
      return sendJson(res, 200, { object: "list", model: body.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    }

    if (model.type !== "rerank") return error(res, 400, "not a rerank model");
    const docs: unknown[] = body.documents;
    const texts = docs.map((d) => standInDocumentText(d, body.rank_fields));
    for (const text of texts) state.reranked[text] = (state.reranked[text] ?? 0) + 1;
    let results = texts
      .map((text, index) => ({ index, relevance_score: standInScore(body.query, text), ...(body.return_documents ? { document: { text } } : {}) }))
      .sort((a, b) => b.relevance_score - a.relevance_score);
    if (body.top_n) results = results.slice(0, body.top_n);
    const tokens = texts.reduce((n, t) => n + words(t).size, words(body.query).size * texts.length);
    return sendJson(res, 200, { object: "rerank", id: "stand-in-" + state.calls.rerank, model: body.model, results, usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens } });
  });

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseURL: (name) => (name ? `${url}/t/${encodeURIComponent(name)}/v1` : `${url}/v1`),
    tenant,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
