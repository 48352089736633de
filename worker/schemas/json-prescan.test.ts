import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { prescanJson, type ScanRules } from "./json-prescan";

const RULES: ScanRules = {
  input: {
    items: { limit: 4, setting: "MAX_INPUTS", what: "The number of inputs" },
    chars: { limit: 6, setting: "MAX_INPUT_CHARS", what: () => "The length" },
  },
  documents: {
    items: { limit: 3, setting: "MAX_DOCUMENTS", what: "The number of documents" },
    chars: { limit: 5, setting: "MAX_INPUT_CHARS", what: () => "The length" },
    itemDepth: { limit: 2, setting: "MAX_DOCUMENT_DEPTH" },
    members: { limit: 6, setting: "MAX_DOCUMENT_MEMBERS", what: "The number of members" },
  },
  rank_fields: { items: { limit: 2, setting: "MAX_RANK_FIELDS", what: "The number of rank_fields" } },
};

/**
 * What the pre-scan should refuse, worked out on the parsed body by walking it in the order
 * JSON.stringify writes it: the param of the first limit passed. Within an item, a container's
 * depth is checked as it opens, and each member counts as it starts (the first when the container
 * opens, each further one at its comma).
 */
function firstViolation(body: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(body)) {
    const rules = Object.hasOwn(RULES, key) ? RULES[key] : undefined;
    if (!rules) continue;
    if (typeof value === "string" && rules.chars && value.length > rules.chars.limit) return key;
    if (!Array.isArray(value)) continue;
    let members = 0;
    const walk = (node: unknown, depth: number, param: string): string | null => {
      if (node === null || typeof node !== "object") return null;
      if (rules.itemDepth && depth > rules.itemDepth.limit) return param;
      const children = Object.values(node as Record<string, unknown>);
      for (let k = 0; k < Math.max(1, children.length); k++) {
        if (rules.members && ++members > rules.members.limit) return key;
        const found = k < children.length ? walk(children[k], depth + 1, param) : null;
        if (found) return found;
      }
      return null;
    };
    for (const [i, item] of value.entries()) {
      if (rules.items && i >= rules.items.limit) return key;
      if (typeof item === "string" && rules.chars && item.length > rules.chars.limit) return `${key}[${i}]`;
      const found = walk(item, 1, `${key}[${i}]`);
      if (found) return found;
    }
  }
  return null;
}

function refusedParam(text: string): string | null {
  try {
    prescanJson(text, RULES);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return (err as ApiError).param;
  }
}

// Strings of any UTF-16 units (lone surrogates, quotes, backslashes, controls: all written as escapes).
const text = fc.string({ unit: "binary", maxLength: 9 });
const nested: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.integer(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(text, tie("value"), { maxKeys: 3 }),
  ),
})).value;
const field = fc.oneof(text, fc.array(fc.oneof(text, nested), { maxLength: 7 }), nested);
const body = fc.dictionary(fc.constantFrom("input", "documents", "rank_fields", "model", "query", "in\\u0070ut"), field, {
  maxKeys: 4,
});

describe("json pre-scan", () => {
  it("Should refuse exactly what the parsed body breaks first, naming the same param, whatever the spacing", () => {
    fc.assert(
      fc.property(body, fc.constantFrom(0, 1, "\t"), (value, space) => {
        expect(refusedParam(JSON.stringify(value, null, space))).toBe(firstViolation(value));
      }),
      { seed: 20261206, numRuns: 3000 },
    );
  });

  it("Should read a key written with escapes as JSON.parse does", () => {
    expect(refusedParam('{"in\\u0070ut":["a","b","c","d","e"]}')).toBe("input");
  });

  it("Should leave a malformed or empty body to JSON.parse, and refuse one that is not an object", () => {
    expect(refusedParam("")).toBeNull();
    expect(refusedParam('{"input":["a", oops')).toBeNull();
    expect(refusedParam('{"input":"abc')).toBeNull();
    expect(() => prescanJson("[1,2,3]", RULES)).toThrow(ApiError);
  });
});
