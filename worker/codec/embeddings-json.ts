import { releaseBuffer } from "../common/release-buffer";
import type { Usage } from "../common/token-usage";
import { floatsToBase64, readFloats, shortenVector } from "./vector-base64";

/** Where a vector's float text is kept between requests (the cache's memory tier is one). */
export interface FloatTextCache {
  floatText(key: string): string | undefined;
  setFloatText(key: string, text: string): void;
}

export interface EmbeddingsRender {
  encoding: "float" | "base64";
  /** The size asked for: the native size, or less for a matryoshka model. */
  dimensions: number;
  nativeDimensions: number;
  /** Keeps each vector's float text, so repeat float hits skip printing it again. */
  memory?: FloatTextCache;
}

/**
 * A float32 vector as a JSON array (each value printed as the shortest double that round-trips).
 * JSON.stringify of a plain array measured about 20% cheaper in workerd than `join(",")` (13.6 vs
 * 17.1 ms for 100 x 1024), and the memory tier keeps the text, so a repeat costs about 0.5 ms.
 */
const floatText = (floats: Float32Array) => JSON.stringify(Array.from(floats));

/**
 * Bytes of JSON text per value, roughly: a float32 printed as the shortest round-tripping double
 * takes up to about 21 characters with its comma; base64 takes 4/3 of 4 bytes.
 */
const BYTES_PER_VALUE = { float: 21, base64: 5.34 } as const;

/**
 * Bodies larger than this are streamed vector by vector instead of built as one string. Built whole, a
 * body exists three times at once (the parts, their join, its UTF-8 copy): 42 MB of float text for
 * 2048 x 1024 became ~127 MB of heap, past an isolate's 128 MB. Streamed, one chunk at a time exists.
 */
const STREAM_ABOVE_BYTES = 4 << 20;
/** A streamed chunk gathers vectors until it holds about this much. */
const CHUNK_BYTES = 64 << 10;
/**
 * The rendered text of vectors already seen in this response is kept up to this many bytes, so a
 * repeated input (2048 x "a") is printed once, not 2048 times; past it, repeats are printed again
 * rather than memory growing with the response.
 */
const SEEN_BYTES = 4 << 20;
const SLICE_ENTRIES = 8;

/** The JSON value of one vector as the request asked for it. */
function embeddingText(vector: string, key: (() => string) | undefined, render: EmbeddingsRender): string {
  if (render.dimensions < render.nativeDimensions) {
    const short = shortenVector(vector, render.dimensions);
    return render.encoding === "base64" ? `"${floatsToBase64(short)}"` : floatText(short);
  }
  if (render.encoding === "base64") return `"${vector}"`;
  const memoryKey = render.memory && key ? key() : undefined;
  const cached = memoryKey === undefined ? undefined : render.memory?.floatText(memoryKey);
  if (cached !== undefined) return cached;
  const text = floatText(readFloats(vector, render.nativeDimensions));
  if (memoryKey !== undefined) render.memory?.setFloatText(memoryKey, text);
  return text;
}

const head = (model: string) => `{"object":"list","model":${JSON.stringify(model)},"data":[`;
const tail = (usage: Usage) => `],"usage":{"prompt_tokens":${usage.prompt_tokens},"total_tokens":${usage.total_tokens}}}`;
const itemHead = (i: number) => `${i ? "," : ""}{"object":"embedding","index":${i},"embedding":`;

/**
 * The embeddings response body, written directly as JSON text: one string when small (the common
 * case, and the cheapest), a byte stream vector by vector when large (see STREAM_ABOVE_BYTES). Base64
 * vectors contain no character JSON must escape (stored values are validated as canonical base64
 * before they get here), so they are spliced in as they are: JSON.stringify would rescan every byte.
 *
 * @example
 * const body = embeddingsBody("m", values, keyOf, usage, { encoding: "float", dimensions: 8, nativeDimensions: 8 });
 * return c.body(body, 200, { "content-type": "application/json" });
 */
export function embeddingsBody(
  model: string,
  vectors: readonly string[],
  keyOf: (index: number) => string,
  usage: Usage,
  render: EmbeddingsRender,
): string | ReadableStream<Uint8Array> {
  const estimate = vectors.length * render.dimensions * BYTES_PER_VALUE[render.encoding];
  // Streamed answers leave the memory tier's float texts alone: 2048 of them would evict everything else.
  if (estimate > STREAM_ABOVE_BYTES) return streamedBody(model, vectors, keyOf, usage, { ...render, memory: undefined });
  const parts = new Array<string>(vectors.length);
  for (let i = 0; i < vectors.length; i++) parts[i] = `${itemHead(i)}${embeddingText(vectors[i], () => keyOf(i), render)}}`;
  return `${head(model)}${parts.join("")}${tail(usage)}`;
}

/**
 * Vectors already rendered in one response, by value, when rendering was real work (float text, a
 * shortened vector). Keyed by a short slice of the value: V8 hashes a string longer than 16,383
 * characters by its length alone, so full 3072-dimension base64 values (16,384 characters) would all
 * share one hash bucket; equal slices are then told apart by `===`, which is a pointer check for the
 * shared strings repeated inputs resolve to. Sparse vectors (the lexical model's) can share a slice,
 * so a slice keeps at most SLICE_ENTRIES vectors: a lookup never compares more than that many strings.
 */
class SeenVectors {
  private readonly byHead = new Map<string, Array<{ vector: string; text: string }>>();
  private bytes = 0;

  get(vector: string): string | undefined {
    return this.byHead.get(vector.slice(0, 64))?.find((e) => e.vector === vector)?.text;
  }

  add(vector: string, text: string): void {
    if (this.bytes + text.length > SEEN_BYTES) return;
    const head = vector.slice(0, 64);
    const list = this.byHead.get(head);
    if (list && list.length >= SLICE_ENTRIES) return;
    this.bytes += text.length;
    if (list) list.push({ vector, text });
    else this.byHead.set(head, [{ vector, text }]);
  }
}

/**
 * The body as a pull stream: each pull renders about CHUNK_BYTES of vectors as one string and encodes
 * it once, so the isolate holds one chunk (plus the vectors the route already has) however large the
 * response, and makes two short-lived objects a chunk rather than several a vector; a slow reader slows
 * the rendering instead of queueing it. Base64 vectors are spliced in as they are; a vector that needs
 * rendering is rendered once per response (see SeenVectors).
 */
function streamedBody(
  model: string,
  vectors: readonly string[],
  keyOf: (index: number) => string,
  usage: Usage,
  render: EmbeddingsRender,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const seen = new SeenVectors();
  const spliced = render.encoding === "base64" && render.dimensions >= render.nativeDimensions;
  const valueText = (i: number): string => {
    // Nothing to render and nothing worth remembering: embeddingText splices the stored value as it is.
    if (spliced) return embeddingText(vectors[i], undefined, render);
    let text = seen.get(vectors[i]);
    if (text === undefined) {
      text = embeddingText(vectors[i], () => keyOf(i), render);
      seen.add(vectors[i], text);
    }
    return text;
  };
  let next = 0;
  let written: Uint8Array | undefined;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        // workerd writes a chunk out before it reads the next (its pump loop awaits each write), so
        // the previous chunk is done with by now: freed at once, not at the next garbage collection.
        if (written) releaseBuffer(written);
        let chunk = next === 0 ? head(model) : "";
        while (next < vectors.length && chunk.length < CHUNK_BYTES) {
          const i = next++;
          chunk += `${itemHead(i)}${valueText(i)}}`;
        }
        if (next === vectors.length) chunk += tail(usage);
        written = encoder.encode(chunk);
        controller.enqueue(written);
        if (next === vectors.length) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
