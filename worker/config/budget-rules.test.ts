import { describe, expect, it } from "vitest";
import { parseBudgets, periodBounds, rulesFor } from "./budget-rules";

describe("budget rules", () => {
  it("Should apply every matching rule: everyone, the subject's kind, the subject by name, and its token's own budget", () => {
    const rules = parseBudgets(
      JSON.stringify([
        { subject: "*", period: "month", max_usd: 10 },
        { subject: "token", period: "day", max_tokens: 1000 },
        { subject: "key", period: "day", max_tokens: 9 },
        { subject: "token:u1", period: "minute", max_inputs: 50 },
      ]),
    );
    const mine = rulesFor(rules, "token:u1", { period: "day", max_usd: 0.5 });
    expect(mine.map((r) => `${r.subject}/${r.period}`)).toEqual(["*/month", "token/day", "token:u1/minute", "token:u1/day"]);
    expect(rulesFor(rules, "ip:1.2.3.4").map((r) => r.subject)).toEqual(["*"]);
  });

  it("Should refuse a BUDGETS value that is not a list of rules with a limit, naming the variable", () => {
    expect(() => parseBudgets("{")).toThrow(/BUDGETS/);
    expect(() => parseBudgets('[{"subject":"*","period":"day"}]')).toThrow(/BUDGETS is invalid/);
    expect(() => parseBudgets('[{"subject":"*","period":"week","max_usd":1}]')).toThrow(/BUDGETS is invalid/);
    expect(parseBudgets(undefined)).toEqual([]);
  });

  it("Should bound periods in UTC: the minute, the day, and the calendar month (December rolls into January)", () => {
    const t = Date.UTC(2026, 11, 31, 23, 59, 30);
    expect(periodBounds("minute", t)).toEqual({ start: Date.UTC(2026, 11, 31, 23, 59), end: Date.UTC(2027, 0, 1) });
    expect(periodBounds("day", t)).toEqual({ start: Date.UTC(2026, 11, 31), end: Date.UTC(2027, 0, 1) });
    expect(periodBounds("month", t)).toEqual({ start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) });
  });
});
