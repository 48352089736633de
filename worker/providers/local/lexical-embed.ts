import { symbolRuns, words } from "./tokenize";

export const LEXICAL_DIMENSIONS = 384;

/*
 * Feature weights. A word of length L brings one word feature, L 3-grams and L-1 4-grams, so the
 * n-grams get lower weights or they would drown the words. The n-grams are what make "llama" and
 * "llamas", or "camelid" and "camelids", similar at all (there is no stemming).
 */
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;
const FOURGRAM_WEIGHT = 0.5;
/**
 * Words shorter than this weigh proportionally less: "a", "is", "the" are in every English text and
 * would otherwise make unrelated sentences look alike. A length proxy, not a stop-word list, so it
 * treats every language the same (one-character Han words weigh 1/4 too, and rely on their number).
 */
const FULL_WEIGHT_LENGTH = 4;

// Each feature kind hashes with its own seed, so the word "the" and the 3-gram "the" differ.
const SEED_WORD = 0x811c9dc5; // the FNV-1a 32 offset basis
const SEED_TRIGRAM = 0x2f8a6c1b;
const SEED_FOURGRAM = 0x5bd1e995;
const SEED_SYMBOLS = 0x9e3779b9;
const LEFT_EDGE = 0x3c; // "<"
const RIGHT_EDGE = 0x3e; // ">"

/**
 * FNV-1a over the code units `from..to` of `word` framed as "<word>" (position 0 is the "<" edge
 * mark, position `word.length + 1` the ">"), then murmur3's finaliser so every output bit depends on
 * every input bit (FNV alone mixes the low bits, which pick the bucket, poorly). Framing by index
 * rather than by concatenating or copying the word keeps the hot loop allocation-free. Returns a
 * signed 32-bit integer.
 *
 * Changing this function, the seeds, the weights or the tokenizer changes every vector: bump the
 * provider's cache namespace (`worker/providers/local/index.ts`).
 */
function featureHash(word: string, from: number, to: number, seed: number): number {
  const last = word.length + 1;
  let h = seed;
  for (let i = from; i < to; i++) {
    const unit = i === 0 ? LEFT_EDGE : i === last ? RIGHT_EDGE : word.charCodeAt(i - 1);
    h = Math.imul(h ^ unit, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Adds a feature into its bucket: the low 30 bits of the hash pick the bucket, the top bit the sign,
 * so the two are independent. (Staying within 30 bits also keeps V8 on small integers: hashes as
 * unsigned 32-bit doubles made embedding about 40% slower.)
 */
function addFeature(sums: Float64Array, hash: number, value: number): void {
  sums[(hash & 0x3fffffff) % LEXICAL_DIMENSIONS] += hash < 0 ? value : -value;
}

/**
 * Adds each distinct word of `tokens` once, weighted by `1 + ln(tf)`, with its 3- and 4-grams.
 * Term frequency is counted per word, not per n-gram: an n-gram shared by several words ("ing>")
 * adds up linearly across them. Counting words only keeps the hot loop free of map look-ups.
 */
function addWords(sums: Float64Array, tokens: readonly string[], wordSeed: number): void {
  const tf = new Map<string, number>();
  for (const word of tokens) tf.set(word, (tf.get(word) ?? 0) + 1);
  for (const [word, count] of tf) {
    const weight = (1 + Math.log(count)) * Math.min(1, word.length / FULL_WEIGHT_LENGTH);
    const framed = word.length + 2; // "<" + word + ">": the 3-gram "<ll" says "starts with ll"
    addFeature(sums, featureHash(word, 1, framed - 1, wordSeed), WORD_WEIGHT * weight);
    const trigram = TRIGRAM_WEIGHT * weight;
    const fourgram = FOURGRAM_WEIGHT * weight;
    for (let i = 0; i + 3 <= framed; i++) addFeature(sums, featureHash(word, i, i + 3, SEED_TRIGRAM), trigram);
    for (let i = 0; i + 4 <= framed; i++) addFeature(sums, featureHash(word, i, i + 4, SEED_FOURGRAM), fourgram);
  }
}

/**
 * A 384-dimensional unit vector of hashed lexical features: lower-cased words plus the 3- and
 * 4-grams of each word with edge marks, a word and its n-grams weighted by `1 + ln(count of the
 * word)`, each feature hashed to a bucket with a hash-derived sign (the "hashing trick": colliding features tend to cancel rather than pile up).
 * Texts sharing words or word stems get a clearly higher cosine than unrelated ones; synonyms and
 * paraphrases get nothing: this is lexical, not semantic.
 *
 * Deterministic, and never NaN: a text with neither words nor symbols (empty or white space only)
 * gets the fixed unit vector [1, 0, 0, ...].
 *
 * @example
 * const v = lexicalEmbed("The llama is a camelid"); // Float32Array(384), length 1
 */
export function lexicalEmbed(text: string): Float32Array {
  const sums = new Float64Array(LEXICAL_DIMENSIONS);
  const out = new Float32Array(LEXICAL_DIMENSIONS);
  const tokens = words(text);
  if (tokens.length > 0) addWords(sums, tokens, SEED_WORD);
  else {
    // Only punctuation, symbols or emoji: their runs stand in for words, so "🎉" and "🍕" still differ.
    const symbols = symbolRuns(text);
    if (symbols.length === 0) {
      out[0] = 1;
      return out;
    }
    addWords(sums, symbols, SEED_SYMBOLS);
  }
  let squares = 0;
  for (let i = 0; i < LEXICAL_DIMENSIONS; i++) squares += sums[i] * sums[i];
  if (squares === 0) {
    // Every feature cancelled another out (possible only for a handful of colliding features).
    out[0] = 1;
    return out;
  }
  const scale = 1 / Math.sqrt(squares);
  for (let i = 0; i < LEXICAL_DIMENSIONS; i++) out[i] = sums[i] * scale;
  return out;
}
