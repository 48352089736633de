/**
 * A vector as the upstream gave it: base64 of little-endian float32 bytes, or numbers. The cache
 * engine checks and encodes it once (`worker/codec/vector-base64.ts`); adapters never do.
 */
export type RawVector = string | ArrayLike<number>;
