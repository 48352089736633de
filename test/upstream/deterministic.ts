// The stand-ins' answers: deterministic vectors and relevance scores that tests can recompute,
// shared by every wire format so each format's numbers are the same function of (model, text).

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
  let state = hash32(`${model}\u0000${text}`) || 1;
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    v[i] = (state / 0xffffffff) * 2 - 1;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) v[i] /= norm;
  return v;
}

/** The distinct lower-case words of `text`: the stand-ins' notion of tokens and relevance. */
export const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);

/** Word-overlap relevance in [0, 1), plus a tiny hash term so ties are rare but stable. */
export function standInScore(query: string, document: string): number {
  const q = words(query);
  const d = words(document);
  let shared = 0;
  for (const w of q) if (d.has(w)) shared++;
  const overlap = q.size === 0 ? 0 : shared / q.size;
  return Math.round((overlap * 0.9 + (hash32(`${query}|${document}`) % 1000) / 10_000) * 1e6) / 1e6;
}

/** The text a rerank document stands for (object documents: JSON of the rank_fields). */
export function standInDocumentText(doc: unknown, rankFields?: string[]): string {
  if (typeof doc === "string") return doc;
  const o = doc as Record<string, unknown>;
  return JSON.stringify(rankFields ? Object.fromEntries(rankFields.map((f) => [f, o[f]])) : o);
}

/** Tokens an embedding input is billed as (words plus one), the same in every format. */
export const embeddingTokens = (texts: readonly string[]) => texts.reduce((n, t) => n + words(t).size + 1, 0);

/** Little-endian float32 bytes as base64: what `encoding_format: "base64"` asks for. */
export const float32Base64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
