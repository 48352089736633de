import type { Usage } from "../cache/usage";
import { base64ToFloats } from "./vector-base64";

/**
 * The embeddings response body, written directly as JSON text. Base64 vectors contain no
 * character JSON must escape, so they are spliced in as they came from KV or the upstream:
 * JSON.stringify would rescan every byte of them (~1.5 ms for 100 x 1024 dims).
 */
export function embeddingsJson(model: string, vectors: readonly string[], usage: Usage, encoding: "float" | "base64"): string {
  const parts = new Array<string>(vectors.length);
  for (let i = 0; i < vectors.length; i++) {
    const embedding = encoding === "base64" ? `"${vectors[i]}"` : `[${(base64ToFloats(vectors[i]) ?? []).join(",")}]`;
    parts[i] = `{"object":"embedding","index":${i},"embedding":${embedding}}`;
  }
  return `{"object":"list","model":${JSON.stringify(model)},"data":[${parts.join(",")}],"usage":{"prompt_tokens":${usage.prompt_tokens},"total_tokens":${usage.total_tokens}}}`;
}
