import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { base64LengthFor, base64ToFloats, encodeVector, floatsToBase64, shortenVector, vectorValidator } from "./vector-base64";

const VECTOR = Float32Array.from([0.5, -0.25, 1, 0, -0, 1e-40, 3.4e38, -1.5]);
const CANONICAL = floatsToBase64(VECTOR);
const isValid = vectorValidator(8);

/** CANONICAL with one character replaced: the right length, the wrong content. */
const replaceAt = (text: string, at: number, ch: string) => text.slice(0, at) + ch + text.slice(at + 1);

/** An 8-dimensional vector with one float32 bit pattern put at `index`, as valid base64. */
function withBits(bits: number, index: number): string {
  const floats = VECTOR.slice();
  new Uint32Array(floats.buffer)[index] = bits;
  return floatsToBase64(floats);
}

function apiError(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}

describe("base64 vectors: what a stored value must be", () => {
  it("Should accept the gateway's own encoding of a finite vector, -0 and subnormals included", () => {
    expect(CANONICAL).toHaveLength(base64LengthFor(8));
    expect(isValid(CANONICAL)).toBe(true);
    expect(base64ToFloats(CANONICAL)).toEqual(VECTOR);
  });

  it("Should know the base64 length of a vector of each size", () => {
    expect(base64LengthFor(1)).toBe(8);
    expect(base64LengthFor(8)).toBe(44);
    expect(base64LengthFor(1024)).toBe(5464);
    expect(base64LengthFor(1536)).toBe(8192);
  });

  it("Should refuse a value one character short or long, or a vector of another size", () => {
    expect(isValid(CANONICAL.slice(0, -1))).toBe(false);
    expect(isValid(`${CANONICAL}A`)).toBe(false);
    expect(isValid(floatsToBase64(VECTOR.slice(0, 7)))).toBe(false);
    expect(isValid(floatsToBase64(Float32Array.from([...VECTOR, 1])))).toBe(false);
    expect(isValid("")).toBe(false);
  });

  it("Should refuse a value of the right length with a quote or backslash, which would break the JSON it is spliced into", () => {
    for (const at of [0, 10, 42, 43]) {
      expect(isValid(replaceAt(CANONICAL, at, '"'))).toBe(false);
      expect(isValid(replaceAt(CANONICAL, at, "\\"))).toBe(false);
    }
  });

  it("Should refuse a value of the right length with characters base64 does not use", () => {
    for (const ch of ["-", "_", "*", "é", "\u0000", "=", ".", "\ud800"]) expect(isValid(replaceAt(CANONICAL, 5, ch))).toBe(false);
  });

  it("Should refuse a value of the right length with white space or a line break in it", () => {
    // Uint8Array.fromBase64 skips ASCII white space, so these decode to eight floats; a raw line break
    // or tab inside a JSON string makes the response invalid JSON for base64 clients.
    const unpadded = CANONICAL.slice(0, -1);
    for (const ws of ["\n", "\r", "\t", "\f", " "]) {
      expect(isValid(unpadded + ws)).toBe(false);
      expect(isValid(ws + unpadded)).toBe(false);
      expect(isValid(`${unpadded.slice(0, 20)}${ws}${unpadded.slice(20)}`)).toBe(false);
    }
  });

  it("Should refuse a value whose unused pad bits are set: it decodes to the same floats, but is not the canonical text", () => {
    // 32 bytes end in a 2-byte group: the character before "=" carries 2 bits no byte uses.
    const at = CANONICAL.length - 2;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const stray = replaceAt(CANONICAL, at, alphabet[alphabet.indexOf(CANONICAL[at]) | 1]);
    expect(stray).not.toBe(CANONICAL);
    expect(base64ToFloats(stray)).toEqual(VECTOR);
    expect(isValid(stray)).toBe(false);
    expect(encodeVector(stray, 8, "together", "m")).toBe(CANONICAL);
  });

  it("Should check values of different sizes one after another (the check decodes into one shared buffer)", () => {
    const long = floatsToBase64(Float32Array.from({ length: 3072 }, (_, i) => i / 3072));
    expect(vectorValidator(3072)(long)).toBe(true);
    expect(isValid(CANONICAL)).toBe(true);
    expect(vectorValidator(3072)(long)).toBe(true);
    expect(isValid(long)).toBe(false);
  });

  it("Should refuse NaN and the infinities even when the base64 itself is valid", () => {
    const patterns = { NaN: 0x7fc00000, "another NaN": 0xffffffff, Infinity: 0x7f800000, "-Infinity": 0xff800000 };
    for (const bits of Object.values(patterns)) {
      for (const index of [0, 3, 7]) {
        const value = withBits(bits, index);
        expect(value).toHaveLength(44);
        expect(isValid(value)).toBe(false);
      }
    }
  });
});

describe("base64 vectors: what an upstream's vector becomes", () => {
  it("Should encode numbers as little-endian float32 base64", () => {
    const encoded = encodeVector(Array.from(VECTOR), 8, "together", "m");
    expect(encoded).toBe(CANONICAL);
    expect(new Uint8Array(base64ToFloats(encoded)!.buffer).slice(0, 4)).toEqual(Uint8Array.from([0, 0, 0, 0x3f]));
  });

  it("Should take a Float32Array as it is", () => {
    expect(encodeVector(VECTOR, 8, "local", "m")).toBe(CANONICAL);
  });

  it("Should keep canonical base64 from the upstream as it is", () => {
    expect(encodeVector(CANONICAL, 8, "together", "m")).toBe(CANONICAL);
  });

  it("Should store unpadded base64 from the upstream in the canonical form", () => {
    expect(encodeVector(CANONICAL.replace(/=+$/, ""), 8, "together", "m")).toBe(CANONICAL);
  });

  it("Should never store base64 with white space in it, even when it happens to have the canonical length", () => {
    const unpadded = CANONICAL.slice(0, -1);
    for (const raw of [`${unpadded}\n`, `${unpadded.slice(0, 20)}\r${unpadded.slice(20)}`, ` ${unpadded}`]) {
      const stored = encodeVector(raw, 8, "together", "m");
      expect(stored).toBe(CANONICAL);
      expect(isValid(stored)).toBe(true);
    }
  });

  it("Should refuse a vector of the wrong size with a 502 that names the provider, the model and MODELS", () => {
    for (const raw of [Array.from(VECTOR).slice(0, 7), floatsToBase64(Float32Array.from([...VECTOR, 0]))]) {
      const err = apiError(() => encodeVector(raw, 8, "together", "test/tiny-embed"));
      expect(err.status).toBe(502);
      expect(err.code).toBe("upstream_dimension_mismatch");
      expect(err.message).toContain("together");
      expect(err.message).toContain("test/tiny-embed");
      expect(err.message).toContain("MODELS");
    }
  });

  it("Should refuse an upstream's claimed length before allocating for it", () => {
    // What JSON.parse makes of `{"length": 2000000000}`: allocating first threw a RangeError (a 500) or took 8 GB.
    for (const length of [2_000_000_000, 2 ** 32, 9]) {
      const err = apiError(() => encodeVector({ length } as unknown as number[], 8, "openai", "m"));
      expect(err.status).toBe(502);
      expect(err.code).toBe("upstream_dimension_mismatch");
    }
  });

  it("Should refuse null, NaN, infinities, strings and numbers float32 cannot hold inside a vector with a 502", () => {
    for (const bad of [null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "1", undefined, true, 1e39]) {
      const raw = Array.from(VECTOR) as unknown[];
      raw[3] = bad;
      const err = apiError(() => encodeVector(raw as unknown as number[], 8, "openai", "m"));
      expect(err.status).toBe(502);
      expect(err.code).toBe("upstream_bad_response");
    }
  });

  it("Should refuse an embedding that is neither numbers nor base64 with a 502", () => {
    for (const bad of [null, 42, {}, "not base64!", "AAA"]) {
      const err = apiError(() => encodeVector(bad as unknown as string, 8, "cohere", "m"));
      expect(err.status).toBe(502);
      expect(err.code === "upstream_bad_response" || err.code === "upstream_dimension_mismatch").toBe(true);
    }
  });
});

describe("base64 vectors: shortening", () => {
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

  it("Should shorten to unit length in the direction of the leading values", () => {
    for (const dims of [1, 2, 4, 7]) {
      const short = shortenVector(CANONICAL, dims);
      expect(short).toHaveLength(dims);
      expect(norm(short)).toBeCloseTo(1, 6);
      const lead = VECTOR.slice(0, dims);
      const scale = norm(lead);
      lead.forEach((x, i) => expect(short[i]).toBeCloseTo(x / scale, 6));
    }
  });

  it("Should leave an all-zero prefix at zero rather than NaN", () => {
    const zeros = floatsToBase64(new Float32Array(8));
    expect(Array.from(shortenVector(zeros, 4))).toEqual([0, 0, 0, 0]);
  });

  it("Should not change the stored vector it shortens", () => {
    shortenVector(CANONICAL, 3);
    expect(base64ToFloats(CANONICAL)).toEqual(VECTOR);
  });
});
