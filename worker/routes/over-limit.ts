import { ApiError } from "../errors";

/** A 400 naming the limit and its value. */
export function overLimit(param: string, what: string, limit: number, setting: string): ApiError {
  return new ApiError(400, "limit_exceeded", `${what} exceeds this gateway's limit of ${limit} (${setting}).`, { param });
}
