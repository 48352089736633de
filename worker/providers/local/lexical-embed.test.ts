import { describe, expect, it } from "vitest";
import { LEXICAL_DIMENSIONS, lexicalEmbed } from "./lexical-embed";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe("local/lexical-embed vectors", () => {
  it("Should return a 384-dimensional Float32Array of unit length", () => {
    for (const text of ["The llama is a camelid", "x", "Our solar system orbits the Milky Way galaxy at about 515,000 mph"]) {
      const v = lexicalEmbed(text);
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(LEXICAL_DIMENSIONS);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it("Should give the same vector for the same text every time, and ignore case and width", () => {
    expect(lexicalEmbed("The llama is a camelid")).toEqual(lexicalEmbed("The llama is a camelid"));
    expect(lexicalEmbed("LLAMA, Camelid")).toEqual(lexicalEmbed("llama camelid"));
    expect(lexicalEmbed("ＬＬＡＭＡ")).toEqual(lexicalEmbed("llama"));
  });

  it("Should give a finite unit vector, never NaN, for punctuation, emoji, white space, empty and very long texts", () => {
    const long = "The llama is a domesticated South American camelid. ".repeat(2000) + "x".repeat(30_000);
    for (const text of ["", "   \n", "?!...", "🎉", "🦙🦙 🐪", "—", long]) {
      const v = lexicalEmbed(text);
      expect(v.every(Number.isFinite), JSON.stringify(text.slice(0, 20))).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it("Should give texts without words or symbols the documented fixed vector [1, 0, 0, ...]", () => {
    const expected = new Float32Array(LEXICAL_DIMENSIONS);
    expected[0] = 1;
    expect(lexicalEmbed("")).toEqual(expected);
    expect(lexicalEmbed(" \t\n")).toEqual(expected);
  });

  it("Should tell emoji-only texts apart", () => {
    expect(dot(lexicalEmbed("🎉"), lexicalEmbed("🎉"))).toBeCloseTo(1, 5);
    expect(dot(lexicalEmbed("🎉"), lexicalEmbed("🍕"))).toBeLessThan(0.5);
  });

  it("Should rate texts sharing words or word stems clearly more similar than unrelated texts", () => {
    const llama = lexicalEmbed("The llama is a camelid");
    const llamas = lexicalEmbed("llamas are camelids");
    const tax = lexicalEmbed("quarterly tax filing deadline");
    const similar = dot(llama, llamas);
    expect(similar).toBeGreaterThan(0.3);
    expect(similar - dot(llama, tax)).toBeGreaterThan(0.25);
    expect(similar - dot(llamas, tax)).toBeGreaterThan(0.25);
    // Sharing only "the", "is", "a" counts for less than sharing the content words' stems.
    expect(dot(llama, lexicalEmbed("The tax is a burden"))).toBeLessThan(similar);
    expect(dot(lexicalEmbed("machine learning models"), lexicalEmbed("learning a machine model"))).toBeGreaterThan(0.7);
  });
});
