import { words } from "./tokenize";

/** Okapi BM25's usual parameters: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;
/**
 * The raw BM25 score that maps to relevance 0.5, via `s / (s + HALF_SCORE)`. About one distinctive
 * query word found in a document of average length, or two common ones. A fixed constant rather
 * than dividing by the best score, so a weak best match stays weak instead of becoming 1.
 */
const HALF_SCORE = 2;
/*
 * Stemming-free variants: a query word also matches a document word when one is a prefix of the
 * other, the shorter has at least MIN_STEM characters and the longer adds at most MAX_SUFFIX
 * ("animals" ~ "animal", "llama" ~ "llamas", "camel" ~ "camelids"; "can" !~ "canada"). Variants count
 * like exact matches. Crude, language-blind and sometimes wrong ("care" ~ "career"), but it needs no
 * word lists and without it "animals" would not find "animal".
 */
const MIN_STEM = 4;
const MAX_SUFFIX = 3;

/** Term counts of one document, and its length in words. */
interface DocumentTerms {
  counts: Map<string, number>;
  length: number;
}

function termsOf(text: string): DocumentTerms {
  const tokens = words(text);
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return { counts, length: tokens.length };
}

/**
 * For every query word, the document words it matches: itself and its prefix variants, as far as
 * they occur in some document. Looked up through an index of each document word's shortened forms,
 * so long queries over many documents never compare every pair of words.
 */
function matchingTerms(queryWords: readonly string[], documents: readonly DocumentTerms[]): string[][] {
  const vocabulary = new Set<string>();
  for (const doc of documents) for (const term of doc.counts.keys()) vocabulary.add(term);
  const longerForms = new Map<string, string[]>(); // "animal" -> ["animals"]
  for (const term of vocabulary) {
    for (let cut = 1; cut <= MAX_SUFFIX && term.length - cut >= MIN_STEM; cut++) {
      const stem = term.slice(0, term.length - cut);
      const forms = longerForms.get(stem);
      if (forms) forms.push(term);
      else longerForms.set(stem, [term]);
    }
  }
  return queryWords.map((word) => {
    const matches = vocabulary.has(word) ? [word] : [];
    matches.push(...(longerForms.get(word) ?? []));
    for (let cut = 1; cut <= MAX_SUFFIX && word.length - cut >= MIN_STEM; cut++) {
      const shorter = word.slice(0, word.length - cut);
      if (vocabulary.has(shorter)) matches.push(shorter);
    }
    return matches;
  });
}

/**
 * Okapi BM25 relevance of each document to `query`, in [0, 1], aligned with `documents`. Document
 * frequencies come from these documents alone, so a document's score depends on the others in the
 * request (never cache it per pair). Each distinct query word counts once, however often the query
 * repeats it. IDF is the always-positive form `ln(1 + (N - n + 0.5) / (n + 0.5))`, so any shared
 * word raises a score, and a document sharing no word (nor variant) with the query scores exactly 0.
 * Raw scores map to relevance by `s / (s + 2)`: deterministic, and comparable across requests only
 * roughly, since IDF depends on the document set.
 *
 * @example
 * bm25Scores("llama habitat", ["The llama lives in the Andes.", "Pandas live in China."]) // [0.24…, 0]
 */
export function bm25Scores(query: string, documents: readonly string[]): number[] {
  const docs = documents.map(termsOf);
  const totalLength = docs.reduce((sum, doc) => sum + doc.length, 0);
  const scores = new Array<number>(docs.length).fill(0);
  if (totalLength === 0) return scores;
  const averageLength = totalLength / docs.length;
  const queryWords = [...new Set(words(query))];
  const matches = matchingTerms(queryWords, docs);

  const frequencies = new Array<number>(docs.length);
  for (const terms of matches) {
    if (terms.length === 0) continue;
    let containing = 0;
    docs.forEach((doc, i) => {
      let tf = 0;
      for (const term of terms) tf += doc.counts.get(term) ?? 0;
      frequencies[i] = tf;
      if (tf > 0) containing++;
    });
    const idf = Math.log(1 + (docs.length - containing + 0.5) / (containing + 0.5));
    docs.forEach((doc, i) => {
      const tf = frequencies[i];
      if (tf === 0) return;
      const lengthNorm = K1 * (1 - B + (B * doc.length) / averageLength);
      scores[i] += (idf * tf * (K1 + 1)) / (tf + lengthNorm);
    });
  }
  return scores.map((s) => s / (s + HALF_SCORE));
}
