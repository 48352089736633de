/**
 * An upstream body as text, or undefined when it is longer than `maxBytes`: what an upstream sends is
 * read no further than the gateway is willing to hold, so a broken or hostile upstream cannot fill the
 * isolate's 128 MB. A declared Content-Length over the cap is refused unread; a body without one (or
 * compressed, whose decoded size the header does not tell) is counted while it streams.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = response.headers.get("content-length");
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (declared !== null && Number(declared) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  // HTTP framing ends an uncompressed body at its Content-Length: the native read is safe and fastest.
  if (declared !== null && !encoded) return response.text();
  if (!response.body) return "";
  // Counted on the way through and read natively: no second copy of the bytes in JavaScript.
  let total = 0;
  let exceeded = false;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          exceeded = true;
          controller.error(new RangeError(`body over ${maxBytes} bytes`));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    return await new Response(counted).text();
  } catch (err) {
    if (exceeded) return undefined;
    throw err;
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
