/**
 * A 128-bit hash of a record's (model, size, prefix, text), as 32 hex characters: four independent
 * 32-bit multiply-xorshift lanes over the UTF-16 code units. Not cryptographic, on purpose: it only
 * tells whether the text of one id in one collection changed since the last upsert, where an
 * accidental collision (odds about 2^-64 per compare) is the only risk and only the collection's own
 * writers choose the texts. It is synchronous and cheap, where 2,048 `crypto.subtle` digests are a
 * promise each and a measurable share of an upsert (bench/collections.ts).
 */
export function textHash(text: string): string {
  let h1 = 0x9e3779b9 ^ text.length;
  let h2 = 0x85ebca6b ^ text.length;
  let h3 = 0xc2b2ae35 ^ text.length;
  let h4 = 0x27d4eb2f ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x85ebca77);
    h2 = Math.imul(h2 ^ c, 0xc2b2ae3d);
    h3 = Math.imul(h3 ^ c, 0x27d4eb2f);
    h4 = Math.imul(h4 ^ c, 0x165667b1);
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 13;
    h3 ^= h3 >>> 16;
    h4 ^= h4 >>> 17;
  }
  // Final avalanche per lane, mixing in a neighbour so no lane depends on one multiplier alone.
  const mix = (h: number, g: number) => {
    let x = Math.imul(h ^ (g >>> 7), 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  };
  return [mix(h1, h4), mix(h2, h1), mix(h3, h2), mix(h4, h3)].map((h) => h.toString(16).padStart(8, "0")).join("");
}
