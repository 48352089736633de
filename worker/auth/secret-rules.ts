/** The shortest secret the gateway accepts: 32 characters, as many as 24 random bytes in base64. */
export const MIN_SECRET_CHARS = 32;

/**
 * Why `secret` must not guard the gateway, or undefined when it may. Empty, short and example values
 * (`.dev.vars.example` marks every one with `change-me`) are refused: they are guessed first. The
 * reason never repeats the value, so callers may put it in an error message.
 */
export function weakSecretReason(secret: string): string | undefined {
  if (secret.trim() === "") return "is empty";
  if (secret.length < MIN_SECRET_CHARS) return `is shorter than ${MIN_SECRET_CHARS} characters`;
  if (/change-?me/i.test(secret)) return "is an example value (it contains 'change-me'); use a long random secret";
  return undefined;
}
