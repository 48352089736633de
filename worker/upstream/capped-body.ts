import { releaseBuffer } from "../common/release-buffer";

/**
 * An upstream body as text, or undefined when it is longer than `maxBytes`: what an upstream sends is
 * read no further than the gateway is willing to hold, so a broken or hostile upstream cannot fill the
 * isolate's 128 MB. A declared Content-Length over the cap is refused unread; a body without one (or
 * compressed, whose decoded size the header does not tell) is counted while it streams, into one
 * buffer of `expectedBytes` that grows only if the answer is larger.
 */
export async function readCappedText(response: Response, maxBytes: number, expectedBytes = 16 << 10): Promise<string | undefined> {
  const declared = response.headers.get("content-length");
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (declared !== null && Number(declared) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  // HTTP framing ends an uncompressed body at its Content-Length: the native read is safe and fastest.
  if (declared !== null && !encoded) return response.text();
  if (!response.body) return "";
  const bytes = await readCapped(response.body, maxBytes, expectedBytes);
  if (!bytes) return undefined;
  const text = new TextDecoder().decode(bytes);
  releaseBuffer(bytes);
  return text;
}

/**
 * A stream's bytes in one buffer, or undefined past `maxBytes` (the rest is cancelled). A byte stream
 * (every fetch answer) is read BYOB: the runtime writes straight into the buffer, and JavaScript never
 * sees a chunk. Piping the chunks through a counting TransformStream instead cost ~550 ms of CPU and
 * ~70 MB of garbage for the 13 answers (33 MB) of a 2048-input miss of 3072 dimensions; this ~80 ms,
 * as much as the native `text()`. Other streams are copied chunk by chunk into the same buffer.
 */
async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number, expectedBytes: number): Promise<Uint8Array | undefined> {
  // One byte over the cap tells "longer than allowed" from "exactly the cap".
  const limit = maxBytes + 1;
  let buffer = new Uint8Array(Math.min(limit, Math.max(1024, expectedBytes)));
  let length = 0;
  const room = (needed: number): boolean => {
    if (length + needed <= buffer.length) return true;
    if (length + needed > limit) return false;
    const grown = new Uint8Array(Math.min(limit, Math.max(length + needed, buffer.length * 2)));
    grown.set(buffer.subarray(0, length));
    buffer = grown;
    return true;
  };
  const within = () => (length > maxBytes ? undefined : buffer.subarray(0, length));
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: read chunk by chunk below.
  }
  if (byob) {
    for (;;) {
      if (!room(1)) {
        await byob.cancel();
        return undefined;
      }
      const { done, value } = await byob.read(buffer.subarray(length));
      // The read hands back the buffer it was given (transferred): keep using that one.
      if (!value) throw new Error("a byte stream's read returned no buffer");
      buffer = new Uint8Array(value.buffer);
      if (done) return within();
      length += value.byteLength;
    }
  }
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return within();
    if (!room(value.byteLength)) {
      await reader.cancel();
      return undefined;
    }
    buffer.set(value, length);
    length += value.byteLength;
  }
}

/** The most a refusal's body may hold: its message is all the gateway reads from it. */
export const MAX_ERROR_BODY_BYTES = 64 << 10;
/** The default cap on an upstream answer (rerank scores; embeddings pass their own, by batch size). */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 << 20;

/**
 * The cap on an embeddings answer for `items` inputs: 128 KB a vector (8,192 dimensions as base64, or
 * 4,096 as float JSON) plus 256 KB, within 40 MB (2,048 vectors of 3,072 dimensions as base64 need 34).
 */
export function embeddingsResponseCap(items: number): number {
  return Math.min((256 << 10) + items * (128 << 10), 40 << 20);
}
