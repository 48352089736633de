// Credentials: fetch a token once, share it between concurrent requests, renew it before it expires.

/** A server key or token, or a function returning one (called again before a JWT expires and after a 401). */
export type TokenSource = string | (() => string | Promise<string>);

/** A JWT is renewed this long before its `exp`: room for clock skew and the request's own flight. */
const RENEW_BEFORE_MS = 30_000;

/** When to stop reusing `token` (ms since the epoch): shortly before a JWT's `exp`; NaN, never, for anything else (a server key). */
export function renewAt(token: string): number {
  try {
    return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).exp * 1000 - RENEW_BEFORE_MS;
  } catch {
    return NaN;
  }
}

/**
 * Wraps a token function: it is called once, its result shared by concurrent requests and reused
 * until `renewAt`; a failed call is not kept. Passing the credential the gateway refused (401)
 * renews it, unless a newer one already replaced it.
 */
export function tokenCache(source: () => string | Promise<string>) {
  let current: Promise<string> | undefined;
  let until = 0;
  return (refused?: unknown) => {
    // `now >= NaN` is false: a token without `exp` is kept until refused.
    if (refused === current || Date.now() >= until) {
      until = Infinity; // while the call is pending, so concurrent requests share it
      current = (async () => source())();
      current.then(
        (token) => (until = renewAt(token)),
        () => (until = 0),
      );
    }
    return current;
  };
}
