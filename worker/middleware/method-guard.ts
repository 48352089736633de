import { ApiError } from "../errors";

/**
 * A 405 with `Allow` for a wrong method on a known route, before authentication, so `GET
 * /v1/embeddings` in a browser's address bar says what is wrong instead of asking for a credential.
 * `allowed` maps a path to its methods, written as `Allow` is ("GET, HEAD").
 */
export function checkMethod(allowed: Readonly<Record<string, string>>, path: string, method: string): void {
  const allow = allowed[path];
  if (allow !== undefined && method !== "OPTIONS" && !allow.split(", ").includes(method)) {
    throw new ApiError(405, "method_not_allowed", `${path} takes ${allow}, not ${method}.`, { headers: { Allow: allow } });
  }
}
