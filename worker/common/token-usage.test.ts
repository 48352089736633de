import { describe, expect, it } from "vitest";
import { addUsage, readUsage } from "./token-usage";

describe("usage", () => {
  it("Should keep absurd upstream counts safe integers, so the JSON they go into stays JSON", () => {
    const huge = readUsage({ prompt_tokens: 1e308, completion_tokens: 1e308 });
    expect(huge.total_tokens).toBe(Number.MAX_SAFE_INTEGER);
    expect(Number.isSafeInteger(addUsage(huge, huge).prompt_tokens)).toBe(true);
  });

  it("Should read missing or odd fields as 0 and total the parts when no total is given", () => {
    expect(readUsage({ prompt_tokens: 3, completion_tokens: "x" })).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
    expect(readUsage(undefined)).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
