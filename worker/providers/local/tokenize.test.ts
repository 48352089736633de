import { describe, expect, it } from "vitest";
import { approxTokenCount, symbolRuns, words } from "./tokenize";

describe("local tokenizer", () => {
  it("Should treat upper case, full-width letters and ligatures as the plain lower-case word", () => {
    expect(words("LLAMA Ｌｌａｍａ llama")).toEqual(["llama", "llama", "llama"]);
    expect(words("ﬁnd")).toEqual(["find"]);
  });

  it("Should split on punctuation and keep digits as words", () => {
    expect(words("The llama's price: 1,200 soles!")).toEqual(["the", "llama", "s", "price", "1", "200", "soles"]);
  });

  it("Should split Chinese and Japanese text into single characters, which have no spaces between words", () => {
    expect(words("骆驼生活")).toEqual(["骆", "驼", "生", "活"]);
    expect(words("ひらがなカタカナ")).toHaveLength(8);
  });

  it("Should keep combining marks inside Devanagari and accented words", () => {
    expect(words("नमस्ते दुनिया")).toEqual(["नमस्ते", "दुनिया"]);
    expect(words("Vicun\u0303a")).toEqual(["vicuña"]);
  });

  it("Should find punctuation and emoji runs for texts without words", () => {
    expect(words("!!! 🎉🎉")).toEqual([]);
    expect(symbolRuns("!!! 🎉🎉")).toEqual(["!!!", "🎉🎉"]);
  });

  it("Should count words plus punctuation runs as tokens, and nothing for white space", () => {
    expect(approxTokenCount("Hello, world!")).toBe(4);
    expect(approxTokenCount("What animals can I find near Peru?")).toBe(8);
    expect(approxTokenCount(" \n\t ")).toBe(0);
  });
});
