import { invalidParam } from "../errors";

declare global {
  interface String {
    isWellFormed(): boolean;
  }
}

/**
 * Refuses text with a lone surrogate, naming where: UTF-8 cannot carry it (encoders replace it with
 * U+FFFD), so it would reach the upstream, and the cache key, as another text than the one sent.
 */
export function requireWellFormed(texts: readonly string[], param: (index: number) => string): void {
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text.isWellFormed()) continue;
    let at = 0;
    for (; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code >= 0xd800 && code <= 0xdbff && at + 1 < text.length && (text.charCodeAt(at + 1) & 0xfc00) === 0xdc00) at++;
      else if (code >= 0xd800 && code <= 0xdfff) break;
    }
    throw invalidParam(
      param(i),
      `Invalid '${param(i)}': a lone UTF-16 surrogate at position ${at} is not text; send well-formed Unicode.`,
      "invalid_unicode",
    );
  }
}
