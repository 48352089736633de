/**
 * The one tokenizer of the local models: the embedding's word features, BM25's terms and the
 * approximate token counts all come from here, so they agree on what a "word" is.
 *
 * Text is NFKC-normalised (full-width "ＡＢＣ" and ligatures like "ﬁ" become plain letters) and
 * lower-cased with the locale-independent `toLowerCase`, so results never depend on the runtime's
 * locale. A word is a run of letters, digits and combining marks (marks keep Indic and Arabic words
 * whole). Han, Hiragana and Katakana are written without spaces, so each of their characters is a
 * word on its own; without that, a whole Chinese sentence would be one word and share nothing with
 * another. Thai, Lao, Khmer and Burmese runs stay whole words: splitting them needs a dictionary.
 */

const CJK = String.raw`\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}`;
const WORD = new RegExp(String.raw`[[\p{L}\p{N}\p{M}]--[${CJK}]]+|[${CJK}]`, "gv");
/** Runs of anything that is neither a word character nor white space: punctuation, symbols, emoji. */
const SYMBOLS = /[^\s\p{L}\p{N}\p{M}]+/gu;

export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/**
 * The lower-cased words of `text`, in order, repeats kept.
 *
 * @example
 * words("The Llama's ＣＡＭＥＬＩＤ cousin, 骆驼") // ["the", "llama", "s", "camelid", "cousin", "骆", "驼"]
 */
export function words(text: string): string[] {
  return normalizeText(text).match(WORD) ?? [];
}

/** Runs of punctuation, symbols and emoji, normalised like words: the embedding's fallback features. */
export function symbolRuns(text: string): string[] {
  return normalizeText(text).match(SYMBOLS) ?? [];
}

/**
 * An approximate token count for `usage`: words plus runs of punctuation or symbols. It is not any
 * model's tokenizer (subword tokenizers count long or rare words as several), but it grows with the
 * text the way billed tokens do. White space alone counts 0.
 */
export function approxTokenCount(text: string): number {
  const normalized = normalizeText(text);
  return countMatches(normalized, WORD) + countMatches(normalized, SYMBOLS);
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
