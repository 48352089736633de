// Store keys: `ee2/<kind>/<namespace tag>/<upstream model>/[@<subject tag>/][<query hash>/]<sha256(item)>`.
// The namespace tag hashes the provider kind, its base URL or account, and the route's extra upstream
// fields, so the same public id served by two providers never shares entries; aliases of one route
// share them. The subject tag (CACHE_SCOPE=subject) keeps one server key's entries, and its tokens',
// apart from everyone else's. The output encoding is not part of the key.
const FORMAT_VERSION = "ee2";
const encoder = new TextEncoder();

declare global {
  interface Uint8Array {
    toHex(): string;
  }
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return new Uint8Array(digest).toHex();
}

const tags = new Map<string, Promise<string>>();

/** A short, stable tag for a namespace, hashed once per isolate. */
function namespaceTag(namespace: string): Promise<string> {
  let tag = tags.get(namespace);
  if (!tag) {
    tag = sha256Hex(namespace).then((hex) => hex.slice(0, 16));
    tags.set(namespace, tag);
  }
  return tag;
}

export interface KeyScope {
  kind: "emb" | "rr";
  /** The provider's namespace (`Provider.namespace`). */
  namespace: string;
  /** The upstream's id for the model. */
  model: string;
  params?: Readonly<Record<string, unknown>>;
  /** Rerank: scores belong to one query. */
  query?: string;
  /** CACHE_SCOPE=subject: whose entries these are (`key:<id>`); absent for the shared cache. */
  subject?: string;
}

/** The prefix shared by every key of one scope. */
export async function keyPrefix(scope: KeyScope): Promise<string> {
  const params = scope.params && Object.keys(scope.params).length ? `|${JSON.stringify(scope.params)}` : "";
  const parts = [FORMAT_VERSION, scope.kind, await namespaceTag(scope.namespace + params), scope.model];
  // Hashed per call, not kept like namespace tags: subjects are as many as the callers.
  if (scope.subject !== undefined) parts.push(`@${(await sha256Hex(`subject|${scope.subject}`)).slice(0, 16)}`);
  if (scope.query !== undefined) parts.push((await sha256Hex(scope.query)).slice(0, 32));
  return `${parts.join("/")}/`;
}

/** SHA-256 of each item, hashing each distinct text once. */
export async function itemHashes(items: readonly string[]): Promise<string[]> {
  const byText = new Map<string, Promise<string>>();
  for (const item of items) if (!byText.has(item)) byText.set(item, sha256Hex(item));
  const hashes = new Map<string, string>();
  await Promise.all([...byText].map(async ([text, hash]) => hashes.set(text, await hash)));
  return items.map((item) => hashes.get(item)!);
}

/** The store keys of `items` in one scope: what the item path reads and writes for them. */
export async function storeKeys(scope: KeyScope, items: readonly string[]): Promise<string[]> {
  const prefix = await keyPrefix(scope);
  return (await itemHashes(items)).map((hash) => prefix + hash);
}
