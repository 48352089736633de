import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffMs, MAX_RETRY_WAIT_MS, RETRYABLE_STATUSES, retryAfterMs } from "./retry-policy";

// A whole second, as HTTP dates have no finer resolution.
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const wait = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), NOW);

describe("retry policy: how long an upstream asks us to wait", () => {
  it("Should read retry-after in seconds", () => {
    expect(wait({ "retry-after": "2" })).toBe(2000);
    expect(wait({ "retry-after": "0" })).toBe(0);
    expect(wait({ "retry-after": "120" })).toBe(120_000);
  });

  it("Should read retry-after as an HTTP date, counted from now", () => {
    expect(wait({ "retry-after": new Date(NOW + 3000).toUTCString() })).toBe(3000);
    expect(wait({ "retry-after": "Tue, 24 Nov 2026 12:00:05 GMT" })).toBe(5000);
  });

  it("Should wait nothing for an HTTP date in the past", () => {
    expect(wait({ "retry-after": new Date(NOW - 60_000).toUTCString() })).toBe(0);
  });

  it("Should prefer retry-after-ms, and fall back to retry-after when it is not a number", () => {
    expect(wait({ "retry-after-ms": "250", "retry-after": "9" })).toBe(250);
    expect(wait({ "retry-after-ms": "soon", "retry-after": "1" })).toBe(1000);
    expect(wait({ "retry-after-ms": "-5", "retry-after": "1" })).toBe(1000);
  });

  it("Should say nothing when there is no retry-after", () => {
    expect(wait({})).toBeUndefined();
    expect(wait({ "x-ratelimit-reset": "3" })).toBeUndefined();
  });

  it("Should say nothing for a retry-after that is neither seconds nor a date", () => {
    const garbage = ["soon", "", "NaN", "Infinity", "-1", "0x10", "1e3", "2 seconds", "later, maybe 5"];
    const read = Object.fromEntries(garbage.map((value) => [value, wait({ "retry-after": value })]));
    expect(read).toEqual(Object.fromEntries(garbage.map((value) => [value, undefined])));
  });

  it("Should never answer NaN or a negative wait, whatever the headers say", () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (ms, after) => {
        const headers: Record<string, string> = {};
        // Headers refuse values with line breaks or NUL; an upstream cannot send those either.
        if (ms !== null) headers["retry-after-ms"] = ms.replace(/[\0\r\n]/g, "");
        if (after !== null) headers["retry-after"] = after.replace(/[\0\r\n]/g, "");
        const result = wait(headers);
        return result === undefined || (Number.isFinite(result) && result >= 0);
      }),
      { seed: 10, numRuns: 500 },
    );
  });
});

describe("retry policy: backoff", () => {
  it("Should wait up to 250 ms after the first attempt, doubling, capped at 2 s", () => {
    const longest = (attempt: number) => backoffMs(attempt, () => 0.999_999);
    expect([0, 1, 2, 3, 4, 10].map(longest)).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });

  it("Should wait nothing when the jitter draws 0", () => {
    expect(backoffMs(0, () => 0)).toBe(0);
    expect(backoffMs(7, () => 0)).toBe(0);
  });

  it("Should stay a whole number of milliseconds within its bound for any attempt, never NaN or Infinity", () => {
    fc.assert(
      fc.property(fc.nat({ max: 5000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, draw) => {
        const ms = backoffMs(attempt, () => draw);
        return Number.isInteger(ms) && ms >= 0 && ms <= Math.min(2000, 250 * 2 ** attempt);
      }),
      { seed: 10, numRuns: 1000 },
    );
  });

  it("Should wait out retry-after itself only up to 4 s, and retry only 429 and gateway-class statuses", () => {
    expect(MAX_RETRY_WAIT_MS).toBe(4000);
    expect([...RETRYABLE_STATUSES].sort()).toEqual([429, 502, 503, 504]);
  });
});
