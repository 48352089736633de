import { describe, expect, it } from "vitest";
import { logThrottle } from "./log-throttle";

describe("logThrottle", () => {
  it("Should let a key through once a window, and again in the next window", () => {
    const once = logThrottle(60_000, 64);
    expect([once("a", 0), once("a", 1), once("a", 59_999)]).toEqual([true, false, false]);
    expect(once("b", 30_000)).toBe(true);
    expect([once("a", 60_000), once("a", 60_001)]).toEqual([true, false]);
  });

  it("Should log at most maxKeys distinct keys a window, however many arrive", () => {
    const once = logThrottle(60_000, 64);
    let lines = 0;
    for (let i = 0; i < 10_000; i++) if (once(`https://o${i}.example`, i)) lines++;
    expect(lines).toBe(64);
  });
});
