/** The error `run` throws, for tests that check its message; fails the test when nothing is thrown. */
export function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}
