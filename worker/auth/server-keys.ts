import type { ServerKey } from "../config";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

interface KeyDigests {
  key: ServerKey;
  bare: ArrayBuffer;
  whole: ArrayBuffer;
}

/** The keys' digests, worked out once per GATEWAY_KEYS list (one per config): not on every request. */
const digestsOf = new WeakMap<readonly ServerKey[], Promise<KeyDigests[]>>();

function keyDigests(keys: readonly ServerKey[]): Promise<KeyDigests[]> {
  let digests = digestsOf.get(keys);
  if (!digests) {
    digests = Promise.all(
      keys.map(async (key) => ({ key, bare: await digest(key.secret), whole: await digest(`${key.id}:${key.secret}`) })),
    );
    digestsOf.set(keys, digests);
  }
  return digests;
}

/**
 * The server key matching `presented`, which is the bare secret or the whole `id:secret` entry of
 * GATEWAY_KEYS. Compared in constant time: both sides are hashed first so the comparison never leaks
 * the secret's length, and every key is compared both ways so timing does not reveal which matched.
 */
export async function matchServerKey(keys: readonly ServerKey[], presented: string): Promise<ServerKey | undefined> {
  if (keys.length === 0 || !presented) return undefined;
  const [presentedHash, digests] = await Promise.all([digest(presented), keyDigests(keys)]);
  let match: ServerKey | undefined;
  for (const { key, bare, whole } of digests) {
    const bareMatch = crypto.subtle.timingSafeEqual(bare, presentedHash);
    const wholeMatch = crypto.subtle.timingSafeEqual(whole, presentedHash);
    if (bareMatch || wholeMatch) match ??= key;
  }
  return match;
}
