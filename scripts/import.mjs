// `npm run import -- <collection> <file> [--url URL] [--key KEY] [--model MODEL] [--batch 256] [--concurrency 4]`
// Upserts a file's records (scripts/import-records.mjs) into a collection of any embed-edge gateway
// with a server key: batches in parallel (bounded), retries 429 and 5xx obeying Retry-After, and is
// resumable by running it again (records already stored unchanged cost nothing). Progress: a bar
// with rate and ETA on a terminal, plain lines otherwise (CI, logs).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseRecords } from "./import-records.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: process.env.EMBED_EDGE_URL ?? "http://127.0.0.1:8787" },
    key: { type: "string", default: process.env.EMBED_EDGE_KEY },
    model: { type: "string" },
    batch: { type: "string", default: "256" },
    concurrency: { type: "string", default: "4" },
    retries: { type: "string", default: "6" },
  },
});
const [collection, file] = positionals;
if (!collection || !file) {
  console.error("usage: npm run import -- <collection> <file.jsonl|.csv|.txt> [--url URL] [--key KEY] [--model MODEL to create it]");
  process.exit(2);
}
if (!values.key) {
  console.error("a server key is needed: --key or EMBED_EDGE_KEY");
  process.exit(2);
}
const base = values.url.replace(/\/+$/, "").replace(/\/v1$/, "");
const batchSize = Math.max(1, Number(values.batch));
const concurrency = Math.max(1, Number(values.concurrency));
const maxRetries = Math.max(0, Number(values.retries));
const headers = { authorization: `Bearer ${values.key}`, "content-type": "application/json" };

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Seconds or an HTTP date, as milliseconds; undefined when absent or unreadable.
 * @param {string | null} header
 */
function retryAfterMs(header) {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A request with retries on 429, 5xx and network errors (Retry-After obeyed, else capped exponential backoff with jitter).
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<{ status: number; json: any }>}
 */
async function call(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      if (attempt >= maxRetries) throw err;
      await sleep(Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2));
      continue;
    }
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: { message: text.slice(0, 200) } };
    }
    if ((res.status === 429 || res.status >= 500) && attempt < maxRetries) {
      const wait = retryAfterMs(res.headers.get("retry-after")) ?? Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      await sleep(wait);
      continue;
    }
    return { status: res.status, json };
  }
}

/** @param {{ status: number; json: any }} answer */
const failure = (answer) => `HTTP ${answer.status}: ${answer.json?.error?.message ?? "no message"}`;

const records = parseRecords(readFileSync(file, "utf8"), file);
const existing = await call("GET", `/v1/collections/${collection}`);
if (existing.status === 404) {
  if (!values.model) {
    console.error(`no collection '${collection}' at ${base}: create it first, or pass --model to create it`);
    process.exit(1);
  }
  const created = await call("PUT", `/v1/collections/${collection}`, { model: values.model });
  if (created.status >= 300) throw new Error(`creating '${collection}': ${failure(created)}`);
} else if (existing.status !== 200) throw new Error(`reading '${collection}': ${failure(existing)}`);

const tty = process.stdout.isTTY;
const started = Date.now();
const totals = { done: 0, upserted: 0, unchanged: 0, embedded: 0, tokens: 0 };
let lastLine = 0;

function progress(final = false) {
  const seconds = (Date.now() - started) / 1000;
  const rate = totals.done / Math.max(seconds, 0.001);
  const eta = rate > 0 ? (records.length - totals.done) / rate : 0;
  const pct = records.length ? totals.done / records.length : 1;
  const stats = `${totals.done}/${records.length} records, ${rate.toFixed(0)}/s, ETA ${eta.toFixed(0)} s`;
  if (tty) {
    const width = 30;
    const bar = "#".repeat(Math.round(pct * width)).padEnd(width, "-");
    process.stdout.write(`\r[${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${stats}   ${final ? "\n" : ""}`);
  } else if (final || Date.now() - lastLine >= 2000) {
    lastLine = Date.now();
    console.log(`import: ${stats} (${(pct * 100).toFixed(0)}%)`);
  }
}

let next = 0;
async function worker() {
  while (next < records.length) {
    const start = next;
    next += batchSize;
    const batch = records.slice(start, start + batchSize);
    const answer = await call("POST", `/v1/collections/${collection}/records`, { records: batch });
    if (answer.status !== 200) throw new Error(`records ${start + 1}-${start + batch.length}: ${failure(answer)}`);
    totals.done += batch.length;
    totals.upserted += answer.json.upserted;
    totals.unchanged += answer.json.unchanged;
    totals.embedded += answer.json.embedded;
    totals.tokens += answer.json.usage?.total_tokens ?? 0;
    progress();
  }
}

try {
  await Promise.all(Array.from({ length: concurrency }, worker));
} catch (err) {
  if (tty) process.stdout.write("\n");
  console.error(`import stopped: ${/** @type {Error} */ (err).message}; run it again to resume (stored records cost nothing).`);
  process.exit(1);
}
progress(true);
console.log(
  `done: ${totals.upserted} upserted, ${totals.unchanged} unchanged, ${totals.embedded} embedded upstream (${totals.tokens} tokens) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
