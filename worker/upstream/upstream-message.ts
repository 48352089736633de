import { MAX_ERROR_BODY_BYTES, readCappedText } from "./capped-body";

/** The longest provider message passed on to a client. */
const MAX_MESSAGE = 300;

/**
 * Scrubs anything that looks like a credential from an upstream's text: bearer tokens, `sk-`-style
 * keys, long opaque tokens, and the provider's own key. What remains is safe to show a client.
 */
export function scrubCredentials(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join("[redacted]");
  return out
    .replace(/\b(Bearer|Basic|Token)\s+[^\s"',;]+/gi, "$1 [redacted]")
    .replace(/\b(?:sk|pk|rk|key|tok|api)[-_][A-Za-z0-9_-]{6,}/gi, "[redacted]")
    .replace(/[A-Za-z0-9_\-+/=]{32,}/g, "[redacted]");
}

/** Reads the provider's error message from a refused request's body, in any of the shapes providers use. */
export async function providerMessage(response: Response, apiKey?: string): Promise<string | undefined> {
  let text: string | undefined;
  try {
    text = await readCappedText(response, MAX_ERROR_BODY_BYTES);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  let message: unknown;
  try {
    // The error shapes providers use: {error:{message}}, {error:"..."}, {errors:[{message}]}, {message}, {detail}.
    const json = JSON.parse(text) as {
      error?: { message?: unknown } | string;
      errors?: Array<{ message?: unknown }>;
      message?: unknown;
      detail?: unknown;
    } | null;
    message =
      (typeof json?.error === "object" ? json.error?.message : json?.error) ?? json?.errors?.[0]?.message ?? json?.message ?? json?.detail;
    if (typeof message !== "string" && Array.isArray(json?.detail)) message = (json.detail[0] as { msg?: unknown } | undefined)?.msg;
  } catch {
    // Not JSON: an HTML error page says nothing useful to an API client.
    return undefined;
  }
  if (typeof message !== "string" || message.trim() === "") return undefined;
  const clean = scrubCredentials(message.replace(/\s+/g, " ").trim(), apiKey);
  if (clean.length <= MAX_MESSAGE) return clean;
  // Never cut between the two halves of a surrogate pair (an emoji, say): a lone half is not text.
  const cut = /[\ud800-\udbff]/.test(clean[MAX_MESSAGE - 2]) ? MAX_MESSAGE - 2 : MAX_MESSAGE - 1;
  return `${clean.slice(0, cut)}…`;
}
