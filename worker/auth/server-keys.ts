import type { ServerKey } from "../config";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * The server key matching `presented`, which is the bare secret or the whole `id:secret` entry of
 * GATEWAY_KEYS. Compared in constant time: both sides are hashed first so the comparison never leaks
 * the secret's length, and every key is compared both ways so timing does not reveal which matched.
 */
export async function matchServerKey(keys: readonly ServerKey[], presented: string): Promise<ServerKey | undefined> {
  if (keys.length === 0 || !presented) return undefined;
  const presentedHash = await digest(presented);
  let match: ServerKey | undefined;
  for (const key of keys) {
    const bare = crypto.subtle.timingSafeEqual(await digest(key.secret), presentedHash);
    const whole = crypto.subtle.timingSafeEqual(await digest(`${key.id}:${key.secret}`), presentedHash);
    if (bare || whole) match ??= key;
  }
  return match;
}
