import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/setup/error-of";
import { BUILTIN_MODELS } from "./builtin";
import { parseCatalogue } from "./catalogue";

const TINY = { id: "acme/tiny", type: "embedding", dimensions: 8 };

describe("catalogue: built-ins and MODELS", () => {
  it("Should be the built-in list when MODELS is unset or empty", () => {
    for (const raw of [undefined, "", "[]", []]) {
      const catalogue = parseCatalogue(raw);
      expect(catalogue.models.map((m) => m.id)).toEqual(BUILTIN_MODELS.map((m) => m.id));
    }
  });

  it("Should add MODELS entries after the built-ins, given as JSON text or as an already-parsed array", () => {
    for (const raw of [JSON.stringify([TINY]), [TINY]]) {
      const catalogue = parseCatalogue(raw);
      expect(catalogue.models).toHaveLength(BUILTIN_MODELS.length + 1);
      expect(catalogue.models.at(-1)!.id).toBe("acme/tiny");
      expect(catalogue.byName.get("BAAI/bge-m3")?.id).toBe("BAAI/bge-m3");
    }
  });

  it("Should serve an entry without routes from the together provider under its own id, with a batch of 128", () => {
    const model = parseCatalogue([TINY]).byName.get("acme/tiny")!;
    expect(model.routes).toEqual([{ provider: "together", model: "acme/tiny" }]);
    expect(model.max_batch).toBe(128);
  });

  it("Should let an entry with a built-in's id replace it, in place", () => {
    const replacement = {
      id: "BAAI/bge-large-en-v1.5",
      type: "embedding",
      dimensions: 1024,
      max_batch: 16,
      routes: [{ provider: "openai", model: "bge-large" }],
    };
    const catalogue = parseCatalogue([replacement]);
    expect(catalogue.models.filter((m) => m.id === replacement.id)).toHaveLength(1);
    expect(catalogue.models.findIndex((m) => m.id === replacement.id)).toBe(BUILTIN_MODELS.findIndex((m) => m.id === replacement.id));
    const model = catalogue.byName.get(replacement.id)!;
    expect(model.max_batch).toBe(16);
    expect(model.routes).toEqual([{ provider: "openai", model: "bge-large" }]);
  });

  it("Should find a model by any of its aliases", () => {
    const catalogue = parseCatalogue([{ ...TINY, aliases: ["tiny", "acme/tiny-v1"] }]);
    expect(catalogue.byName.get("tiny")?.id).toBe("acme/tiny");
    expect(catalogue.byName.get("acme/tiny-v1")?.id).toBe("acme/tiny");
    expect(catalogue.byName.get("@cf/baai/bge-large-en-v1.5")?.id).toBe("BAAI/bge-large-en-v1.5");
  });

  it("Should let a MODELS id take over a name that is a built-in's alias", () => {
    // Salesforce/Llama-Rank-v1 is an alias of the built-in Salesforce/Llama-Rank-V1.
    const catalogue = parseCatalogue([{ id: "Salesforce/Llama-Rank-v1", type: "rerank" }]);
    expect(catalogue.byName.get("Salesforce/Llama-Rank-v1")!.routes).toEqual([{ provider: "together", model: "Salesforce/Llama-Rank-v1" }]);
    expect(catalogue.byName.get("Salesforce/Llama-Rank-V1")!.id).toBe("Salesforce/Llama-Rank-V1");
  });

  it("Should never let an alias take over another model's id", () => {
    const catalogue = parseCatalogue([{ ...TINY, aliases: ["BAAI/bge-m3"] }]);
    expect(catalogue.byName.get("BAAI/bge-m3")!.id).toBe("BAAI/bge-m3");
  });
});

describe("catalogue: invalid MODELS", () => {
  it("Should say MODELS is not a JSON array when it is not JSON", () => {
    expect(errorOf(() => parseCatalogue("[{id: 'x'}]")).message).toMatch(/^MODELS must be a JSON array/);
  });

  it("Should name the problem in an invalid entry", () => {
    const cases: Array<[unknown, RegExp]> = [
      [[{ id: "x", type: "embedding" }], /dimensions/],
      [[{ id: "x", type: "chat" }], /type/],
      [[{ id: "", type: "rerank" }], /id/],
      [[{ ...TINY, dimensions: -8 }], /dimensions/],
      [[{ ...TINY, max_batch: 0 }], /max_batch/],
      [[{ ...TINY, colour: "red" }], /colour/],
      [[{ ...TINY, routes: [] }], /routes/],
      [[{ ...TINY, routes: [{ provider: "together" }] }], /model/],
      [{ id: "x" }, /array/],
    ];
    for (const [raw, problem] of cases) {
      const message = errorOf(() => parseCatalogue(JSON.stringify(raw))).message;
      expect(message).toMatch(/^MODELS is invalid/);
      expect(message).toMatch(problem);
    }
  });
});
