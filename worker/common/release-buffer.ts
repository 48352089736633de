/**
 * Frees a buffer's memory now instead of at the next garbage collection: detaching it (a transfer to
 * nothing) drops the isolate's hold on its bytes. Buffers are memory outside the JavaScript heap that
 * the collector sees late; a 2048-input miss of 3072 dimensions made ~70 MB of them (upstream answers
 * read, response chunks written) faster than the isolate collected them. Only for a buffer nothing else
 * will read: every view on it becomes empty.
 */
export function releaseBuffer(view: ArrayBufferView): void {
  const buffer = view.buffer as ArrayBuffer;
  if (!buffer.detached) buffer.transfer(0);
}
