// The baseline worker the bench runs beside the gateway, in its own workerd process: it answers with
// a precomputed body of the gateway's exact bytes and content type, so what workerd spends on
// HTTP, the isolate and the response is subtracted from the gateway's CPU. Asked to, it also makes
// the same binding calls the gateway made (store reads and writes, a rate-limit check) against the
// same local simulations, so the simulations' own CPU, which production does not bill to the
// worker, can be told apart from the gateway's code. Bundled by esbuild; never deployed.

/** The slice of the Workers binding types this file uses (the bench's tsconfig has Node types). */
interface Env {
  STORE_KV: {
    get(keys: string[], type: "text"): Promise<Map<string, string | null>>;
    put(key: string, value: string, options: { expirationTtl: number }): Promise<void>;
  };
  STORE_D1: {
    prepare(sql: string): { bind(...values: unknown[]): D1Statement };
    batch(statements: D1Statement[]): Promise<unknown>;
    exec(sql: string): Promise<unknown>;
  };
  LIMITER: { limit(options: { key: string }): Promise<{ success: boolean }> };
}
type D1Statement = object;
interface Context {
  waitUntil(work: Promise<unknown>): void;
}

/** KV's bulk read takes at most 100 keys a call; D1 binds at most 100 parameters a statement. */
const KV_BULK = 100;
const D1_PARAMS = 100;
const TTL_SECONDS = 30 * 24 * 3600;
// The same table and statements as worker/cache/d1-store.ts, so the replay costs what the store's calls cost.
const SCHEMA = "CREATE TABLE IF NOT EXISTS ee_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID";
const upsert = (rows: number) =>
  `INSERT INTO ee_cache (key, value, expires_at) VALUES ${Array(rows).fill("(?, ?, ?)").join(",")} ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;

const bodies = new Map<string, { bytes: Uint8Array<ArrayBuffer>; status: number; contentType: string }>();
let seededKeys: string[] = [];
let d1Ready: Promise<unknown> | undefined;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

function d1Table(env: Env): Promise<unknown> {
  d1Ready ??= env.STORE_D1.exec(SCHEMA);
  return d1Ready;
}

/** Reads `count` keys in bulk, `found` of them present (a miss still reads its key, and pays for it). */
async function readKeys(env: Env, store: string, count: number, found: number): Promise<void> {
  const keys = [...seededKeys.slice(0, found), ...Array.from({ length: count - found }, () => `absent/${crypto.randomUUID()}`)];
  if (store === "d1") {
    await d1Table(env);
    const now = Date.now();
    await env.STORE_D1.batch(
      chunks(keys, D1_PARAMS - 1).map((part) =>
        env.STORE_D1.prepare(`SELECT key, value FROM ee_cache WHERE key IN (${part.map(() => "?").join(",")}) AND expires_at > ?`).bind(
          ...part,
          now,
        ),
      ),
    );
  } else {
    await Promise.all(chunks(keys, KV_BULK).map((part) => env.STORE_KV.get(part, "text")));
  }
}

async function writeKeys(env: Env, store: string, keys: string[], value: string): Promise<void> {
  if (store === "d1") {
    await d1Table(env);
    const expires = Date.now() + TTL_SECONDS * 1000;
    await env.STORE_D1.batch(
      chunks(keys, Math.floor(D1_PARAMS / 3)).map((part) =>
        env.STORE_D1.prepare(upsert(part.length)).bind(...part.flatMap((key) => [key, value, expires])),
      ),
    );
  } else {
    await Promise.allSettled(keys.map((key) => env.STORE_KV.put(key, value, { expirationTtl: TTL_SECONDS })));
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    const url = new URL(request.url);
    const q = url.searchParams;
    if (url.pathname === "/_bench/body") {
      bodies.set(q.get("id")!, {
        bytes: new Uint8Array(await request.arrayBuffer()),
        status: Number(q.get("status")),
        contentType: q.get("type")!,
      });
      return new Response("stored");
    }
    if (url.pathname === "/_bench/seed") {
      // Keys the replayed reads find, with values of the gateway's value size.
      const count = Number(q.get("count"));
      const value = "A".repeat(Number(q.get("valueBytes")));
      seededKeys = Array.from({ length: count }, (_, i) => `seed/${i}`);
      await writeKeys(env, "d1", seededKeys, value);
      await writeKeys(env, "kv", seededKeys, value);
      return new Response("seeded");
    }

    // A request shaped like the gateway's: its body is received, not parsed.
    await request.arrayBuffer();
    const store = q.get("store") ?? "kv";
    if (q.get("limit")) await env.LIMITER.limit({ key: crypto.randomUUID() });
    const reads = Number(q.get("reads") ?? 0);
    if (reads) await readKeys(env, store, reads, Number(q.get("found") ?? reads));
    const newKeys = Array.from({ length: Number(q.get("writes") ?? 0) }, () => `w/${crypto.randomUUID()}`);
    if (newKeys.length) ctx.waitUntil(writeKeys(env, store, newKeys, "A".repeat(Number(q.get("valueBytes")))));
    const body = bodies.get(q.get("body") ?? "");
    if (!body) return new Response("no such body", { status: 500 });
    return new Response(body.bytes, { status: body.status, headers: { "content-type": body.contentType } });
  },
};
