/** Resolves in a later turn of the event loop, after the handler has returned its response. */
export const afterResponse = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The longest a hung store read is waited for once its answer can only save work, not time. */
export const STORE_WAIT_BOUND_MS = 5000;

/** The answer of `work` if it comes within `ms`, else undefined (the work goes on). */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let cancel = () => {};
  const deadline = new Promise<undefined>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cancel = () => clearTimeout(timer);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    cancel();
  }
}
