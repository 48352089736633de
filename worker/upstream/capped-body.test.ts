// The capped read of upstream answers without a Content-Length (chunked or compressed), in workerd:
// byte streams (what fetch gives) are read BYOB into one buffer, other streams chunk by chunk.
import { describe, expect, it } from "vitest";
import { readCappedText } from "./capped-body";

const encoder = new TextEncoder();

/** A body of `chunks` with no Content-Length, as a byte stream (like fetch's) or a plain one. */
function chunked(chunks: readonly string[], bytes: boolean): Response {
  let next = 0;
  const pull = (controller: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) => {
    if (next < chunks.length) controller.enqueue(encoder.encode(chunks[next++]));
    else controller.close();
  };
  const body = bytes ? new ReadableStream({ type: "bytes", pull }) : new ReadableStream<Uint8Array>({ pull });
  return new Response(body, { headers: { "content-type": "application/json" } });
}

describe.each([
  ["a byte stream (read BYOB)", true],
  ["a plain stream (read chunk by chunk)", false],
])("capped upstream bodies: %s", (_name, bytes) => {
  it("Should read a body in many chunks, larger than expected, whole and in order", async () => {
    const chunks = Array.from({ length: 200 }, (_, i) => `${i},`.repeat(50));
    expect(await readCappedText(chunked(chunks, bytes), 1 << 20, 1024)).toBe(chunks.join(""));
  });

  it("Should read a body of exactly the cap and refuse one byte more", async () => {
    const body = "x".repeat(5000);
    expect(await readCappedText(chunked([body.slice(0, 3000), body.slice(3000)], bytes), 5000, 100)).toBe(body);
    expect(await readCappedText(chunked([body, "y"], bytes), 5000, 100)).toBeUndefined();
  });

  it("Should stop reading past the cap: what follows is never pulled", async () => {
    let pulled = 0;
    const pull = (controller: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) => {
      pulled++;
      controller.enqueue(encoder.encode("y".repeat(1000)));
    };
    const endless = bytes ? new ReadableStream({ type: "bytes", pull }) : new ReadableStream<Uint8Array>({ pull });
    expect(await readCappedText(new Response(endless), 10_000)).toBeUndefined();
    expect(pulled).toBeLessThan(20);
  });

  it("Should decode UTF-8 split across chunks", async () => {
    const text = `{"m":"${"é😀".repeat(100)}"}`;
    const raw = encoder.encode(text);
    let next = 0;
    const pull = (controller: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) => {
      if (next >= raw.length) return controller.close();
      controller.enqueue(raw.slice(next, next + 7));
      next += 7;
    };
    const body = bytes ? new ReadableStream({ type: "bytes", pull }) : new ReadableStream<Uint8Array>({ pull });
    expect(await readCappedText(new Response(body), 1 << 16)).toBe(text);
  });
});
