// KV keys: `ee1/<kind>/<upstream>/<model>/<sha256(item)>`. The upstream tag keeps vectors from one
// upstream from ever answering for another; the output encoding is not part of the key.
const FORMAT_VERSION = "ee1";
const encoder = new TextEncoder();

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return new Uint8Array(digest).toHex();
}

declare global {
  interface Uint8Array {
    toHex(): string;
  }
}

const upstreamTags = new Map<string, Promise<string>>();

/** A short, stable tag for an upstream base URL, hashed once per isolate. */
export function upstreamTag(baseURL: string): Promise<string> {
  let tag = upstreamTags.get(baseURL);
  if (!tag) {
    tag = sha256Hex(baseURL).then((hex) => hex.slice(0, 16));
    upstreamTags.set(baseURL, tag);
  }
  return tag;
}

/** The prefix shared by every key of one (kind, upstream, model[, query]) scope. */
export async function keyPrefix(kind: "emb" | "rr", baseURL: string, model: string, query?: string): Promise<string> {
  const parts = [FORMAT_VERSION, kind, await upstreamTag(baseURL), model];
  if (query !== undefined) parts.push((await sha256Hex(query)).slice(0, 32));
  return parts.join("/") + "/";
}

/** One key per item, in item order. */
export async function itemKeys(prefix: string, items: readonly string[]): Promise<string[]> {
  return Promise.all(items.map(async (item) => prefix + (await sha256Hex(item))));
}
