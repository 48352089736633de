/** Tokens the upstream billed for the calls one request made. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Set when some of the counts are the gateway's estimate, the provider having reported none. */
  estimated?: true;
}

export const NO_USAGE: Usage = Object.freeze({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });

/** A token count as a safe integer: odd, negative or absurd upstream numbers never reach the JSON. */
const asCount = (n: unknown) =>
  typeof n === "number" && Number.isFinite(n) && n >= 0 ? Math.min(Math.round(n), Number.MAX_SAFE_INTEGER) : 0;
const sum = (a: number, b: number) => Math.min(a + b, Number.MAX_SAFE_INTEGER);

/** Reads an upstream `usage` object leniently: missing or odd fields count as 0. */
export function readUsage(raw: unknown): Usage {
  const u = (raw ?? {}) as Record<string, unknown>;
  const prompt = asCount(u.prompt_tokens);
  const completion = asCount(u.completion_tokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: asCount(u.total_tokens) || sum(prompt, completion) };
}

export function addUsage(a: Usage, b: Usage): Usage {
  const total: Usage = {
    prompt_tokens: sum(a.prompt_tokens, b.prompt_tokens),
    completion_tokens: sum(a.completion_tokens, b.completion_tokens),
    total_tokens: sum(a.total_tokens, b.total_tokens),
  };
  if (a.estimated || b.estimated) total.estimated = true;
  return total;
}

/**
 * An estimate for upstreams that report no token counts (Workers AI, Cohere): about four characters a
 * token, the usual figure for English BPE vocabularies.
 */
/** A cross-encoder's estimate: the query is read once with every document. */
export function estimateRerankUsage(query: string, documents: readonly string[]): Usage {
  const usage = estimateUsage(documents);
  const tokens = usage.prompt_tokens + Math.ceil(query.length / 4) * documents.length;
  return { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, estimated: true };
}

export function estimateUsage(texts: readonly string[]): Usage {
  let tokens = 0;
  for (const text of texts) tokens += Math.ceil(text.length / 4);
  return { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, estimated: true };
}
