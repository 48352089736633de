import type { ServerKey } from "../config";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * The server key matching `presented`, compared in constant time: both sides are hashed first so
 * the comparison never leaks the secret's length, and every key is compared so timing does not
 * reveal which one matched.
 */
export async function matchServerKey(keys: readonly ServerKey[], presented: string): Promise<ServerKey | undefined> {
  if (keys.length === 0 || !presented) return undefined;
  const presentedHash = await digest(presented);
  let match: ServerKey | undefined;
  for (const key of keys) {
    if (crypto.subtle.timingSafeEqual(await digest(key.secret), presentedHash)) match ??= key;
  }
  return match;
}
