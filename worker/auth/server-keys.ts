import type { ServerKey } from "../config";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

export interface KeyDigests {
  key: ServerKey;
  bare: ArrayBuffer;
  whole: ArrayBuffer;
}

/** The keys' digests: worked out once per configuration (the gateway keeps them), not on every request. */
export function keyDigests(keys: readonly ServerKey[]): Promise<KeyDigests[]> {
  return Promise.all(keys.map(async (key) => ({ key, bare: await digest(key.secret), whole: await digest(`${key.id}:${key.secret}`) })));
}

/**
 * The server key matching `presented`, which is the bare secret or the whole `id:secret` entry of
 * GATEWAY_KEYS. Compared in constant time: both sides are hashed first so the comparison never leaks
 * the secret's length, and every key is compared both ways so timing does not reveal which matched.
 */
export async function matchServerKey(
  keys: readonly ServerKey[],
  digestsOf: () => Promise<KeyDigests[]>,
  presented: string,
): Promise<ServerKey | undefined> {
  if (keys.length === 0 || !presented) return undefined;
  const [presentedHash, digests] = await Promise.all([digest(presented), digestsOf()]);
  let match: ServerKey | undefined;
  for (const { key, bare, whole } of digests) {
    const bareMatch = crypto.subtle.timingSafeEqual(bare, presentedHash);
    const wholeMatch = crypto.subtle.timingSafeEqual(whole, presentedHash);
    if (bareMatch || wholeMatch) match ??= key;
  }
  return match;
}
