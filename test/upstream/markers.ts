// Texts a test puts into a request to make every stand-in refuse it the way its real upstream
// would, so gateway tests can check how an input-caused upstream 4xx comes back.

/** Any request containing this is refused with the format's own "context length exceeded" 400. */
export const TOO_LONG_MARKER = "__too_long__";

/** Any request containing this is refused with a 400 whose message echoes `LEAKED_CREDENTIAL`. */
export const ECHO_KEY_MARKER = "__echo_key__";

/** What the `__echo_key__` refusal quotes, as careless upstreams quote request headers. */
export const LEAKED_CREDENTIAL = "Bearer sk-stand-in-leak-1234";

/** Which marker the raw request body contains, if any (too-long wins when both do). */
export function markerIn(raw: string): "too-long" | "echo-key" | undefined {
  if (raw.includes(TOO_LONG_MARKER)) return "too-long";
  if (raw.includes(ECHO_KEY_MARKER)) return "echo-key";
  return undefined;
}

/** The echo-key refusal's message, worded alike in every format. */
export const echoKeyMessage = `Malformed request from client with headers {"authorization": "${LEAKED_CREDENTIAL}"}`;
