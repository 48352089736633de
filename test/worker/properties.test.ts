// Property-based tests of the gateway in workerd against the stand-in upstream (issue #10): invalid
// bodies are refused before any upstream call, valid ones round-trip exactly, and damaged cache
// entries never reach a client. Seeded, so every run checks the same cases.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { floatsToBase64 } from "../../worker/codec/vector-base64";
import { standInScore, standInVector } from "../upstream/together-stand-in";
import { decodeBase64Vector, gateway, STORE_VARIANTS, storeKeysOf, storeOf } from "./gateway";

const SEED = 20261124;
const EMBED_MODEL = "test/tiny-embed";
const RERANK_MODEL = "Salesforce/Llama-Rank-v1";
// Small limits, so over-limit cases are cheap; the store always answers in time.
const LIMITS = { MAX_INPUTS: "8", MAX_INPUT_CHARS: "64", MAX_DOCUMENTS: "8", MAX_QUERY_CHARS: "64", STORE_READ_DEADLINE_MS: "5000" };
const STORES = STORE_VARIANTS.filter((variant) => variant.vars.MEMORY_CACHE_BYTES === "0").map(({ name, vars }) => ({
  name,
  vars: vars as Record<string, string>,
}));

type Gateway = ReturnType<typeof gateway>;
let clients = 0;
/** Each request from its own client address: hundreds of requests must not meet the rate limit. */
const send = (gw: Gateway, path: string, body: string) =>
  gw.request(path, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "cf-connecting-ip": `10.9.${(clients >> 8) & 255}.${clients++ & 255}` },
  });

// --- Values --------------------------------------------------------------------------------------

/** A number literal JSON.stringify cannot write (1e400, -0), spliced into the body text. */
class RawNumber {
  constructor(readonly literal: string) {}
  toJSON() {
    return `\u0000raw\u0001${this.literal}\u0001`;
  }
}
const serialise = (body: unknown) => JSON.stringify(body).replace(/"\\u0000raw\\u0001(.*?)\\u0001"/g, "$1");

const EDGE_TEXTS = [
  "\ufffd",
  "\ufeffBOM",
  "zero\u200bwidth",
  "\u202eevil",
  "e\u0301",
  "🦙",
  "👩‍👩‍👧",
  "\u2028\u2029",
  "nul\u0000",
  "\uffff",
  "𝟘𝟙",
  "İ",
  '"q\\',
  "</script>",
  "__proto__",
  "constructor",
  " ",
];
/** Well-formed text of 1 to `max` UTF-16 units: any code point, grapheme clusters, or known troublemakers. */
const text = (max: number) =>
  fc
    .oneof(
      fc.string({ unit: "binary", minLength: 1, maxLength: max >> 1 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: max >> 2 }),
      fc.constantFrom(...EDGE_TEXTS),
    )
    .filter((t) => t.length >= 1 && t.length <= max);
const overLimit = fc.string({ minLength: 65, maxLength: 90 });
/** Well-formed text around one lone surrogate: a high one cannot pair with what follows, a low one with what precedes. */
const loneSurrogate = fc
  .tuple(
    fc.string({ unit: "binary", maxLength: 6 }),
    fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })),
    fc.string({ unit: "binary", maxLength: 6 }),
  )
  .map(([before, unit, after]) => before + String.fromCharCode(unit) + after);
const WEIRD_KEYS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "",
  " model",
  "Model",
  "input\u0000",
  "𝓂odel",
];
const key = fc.oneof(fc.constantFrom(...WEIRD_KEYS), fc.string({ maxLength: 12 }), loneSurrogate);
/** Sets a field as JSON.parse does: an own field, even one named `__proto__`. */
const define = (body: Record<string, unknown>, name: string, value: unknown) =>
  Object.defineProperty(body, name, { value, enumerable: true, writable: true, configurable: true });
/** An object built field by field, so a `__proto__` key stays an own field. */
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) define(out, k, v);
  return out;
};
const scalarJunk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, Number.MIN_VALUE, -0.5, 0.1),
  fc.constantFrom("1e400", "-1e400", "-0", "1E+999", "0.0e0", "123456789012345678901234567890").map((l) => new RawNumber(l)),
  fc.constantFrom("NaN", "Infinity", "-Infinity", "1e999", "0x10", " 1", "", "null", "undefined", "true", "[]", "{}"),
  text(64),
  loneSurrogate,
);
const deep = fc.tuple(fc.integer({ min: 20, max: 400 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});
/** Anything JSON can carry, and a few things JSON.stringify cannot write. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalarJunk },
  deep,
  fc.array(scalarJunk, { maxLength: 4 }),
  fc.array(fc.tuple(key, scalarJunk), { maxLength: 4 }).map(objectOf),
);
const jsonKind = (v: unknown) => (v instanceof RawNumber ? "number" : v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

// --- Invalid bodies ------------------------------------------------------------------------------

/** One change that makes a valid body invalid, and the params a refusal may then name. */
interface Mutation {
  apply(body: Record<string, unknown>): void;
  names(param: string): boolean;
}
const field = (name: string) => (param: string) => param === name || param.startsWith(`${name}[`);
const set = (name: string, values: fc.Arbitrary<unknown>, also?: (body: Record<string, unknown>) => void) =>
  values.map(
    (value): Mutation => ({
      apply: (body) => {
        define(body, name, value);
        also?.(body);
      },
      names: field(name),
    }),
  );
const remove = (name: string) => fc.constant<Mutation>({ apply: (body) => void delete body[name], names: field(name) });
const unknownField = (allowed: readonly string[]) =>
  fc
    .tuple(
      key.filter((k) => !allowed.includes(k)),
      fc.oneof(junk, text(8)),
    )
    .map(([k, value]): Mutation => ({ apply: (body) => void define(body, k, value), names: (param) => param === k }));
/** `items` with `bad` put in at some position. */
const withOne = <T>(items: fc.Arbitrary<T[]>, bad: fc.Arbitrary<unknown>) =>
  fc
    .tuple(items, bad, fc.nat())
    .map(([list, item, at]) => [...list.slice(0, at % (list.length + 1)), item, ...list.slice(at % (list.length + 1))]);

const badModel = (otherType: string) =>
  fc.oneof(
    junk.filter((v) => jsonKind(v) !== "string"),
    fc.constantFrom("", otherType, "BAAI/bge-m3", "nope/never"),
    text(20).map((t) => `no-such/${t}`),
  );

const EMBED_FIELDS = ["model", "input", "encoding_format", "dimensions", "user"];
const embedInput = text(32);
const validEmbeddings = fc.record(
  {
    model: fc.constant(EMBED_MODEL),
    input: fc.oneof(embedInput, fc.array(embedInput, { minLength: 1, maxLength: 8 })),
    encoding_format: fc.constantFrom("float", "base64"),
    dimensions: fc.constant(8),
    user: text(16),
  },
  { requiredKeys: ["model", "input"] },
);
const embeddingsMutation = fc.oneof(
  set("model", badModel(RERANK_MODEL)),
  remove("model"),
  set(
    "input",
    fc.oneof(
      junk.filter((v) => !["string", "array"].includes(jsonKind(v))),
      fc.constantFrom("", []),
      overLimit,
      loneSurrogate,
      withOne(
        fc.array(embedInput, { maxLength: 4 }),
        fc.oneof(
          junk.filter((v) => jsonKind(v) !== "string"),
          fc.constant(""),
          overLimit,
          loneSurrogate,
        ),
      ),
      fc.array(embedInput, { minLength: 9, maxLength: 12 }),
    ),
  ),
  remove("input"),
  set(
    "encoding_format",
    fc.oneof(junk, fc.constantFrom("FLOAT", "int8", "binary", " float")).filter((v) => v !== "float" && v !== "base64"),
  ),
  set(
    "dimensions",
    fc.oneof(junk, fc.constantFrom(0, -8, 7, 9, 1024, 8.5, "8")).filter((v) => v !== 8),
  ),
  set(
    "user",
    junk.filter((v) => jsonKind(v) !== "string"),
  ),
  unknownField(EMBED_FIELDS),
);

const RERANK_FIELDS = ["model", "query", "documents", "top_n", "return_documents", "rank_fields"];
const docText = text(40);
const validRerank = fc.oneof(
  fc.record(
    {
      model: fc.constant(RERANK_MODEL),
      query: text(40),
      documents: fc.array(docText, { minLength: 1, maxLength: 8 }),
      top_n: fc.integer({ min: 1, max: 20 }),
      return_documents: fc.boolean(),
    },
    { requiredKeys: ["model", "query", "documents"] },
  ),
  fc.record(
    {
      model: fc.constant(RERANK_MODEL),
      query: text(40),
      documents: fc.array(fc.record({ text: text(16) }), { minLength: 1, maxLength: 8 }),
      rank_fields: fc.constant(["text"]),
    },
    { requiredKeys: ["model", "query", "documents"] },
  ),
);
const notADocument = junk.filter((v) => !["string", "object"].includes(jsonKind(v)));
const rerankMutation = fc.oneof(
  set("model", badModel(EMBED_MODEL)),
  remove("model"),
  set(
    "query",
    fc.oneof(
      junk.filter((v) => jsonKind(v) !== "string"),
      fc.constant(""),
      overLimit,
      loneSurrogate,
    ),
  ),
  remove("query"),
  set(
    "documents",
    fc.oneof(
      junk.filter((v) => jsonKind(v) !== "array"),
      fc.constant([]),
      fc.array(docText, { minLength: 9, maxLength: 12 }),
      withOne(fc.array(docText, { maxLength: 4 }), fc.oneof(notADocument, overLimit, loneSurrogate)),
      withOne(fc.array(docText, { minLength: 1, maxLength: 4 }), fc.record({ text: docText })),
      withOne(fc.array(fc.record({ text: docText }), { minLength: 1, maxLength: 4 }), fc.oneof(docText, notADocument)),
    ),
  ),
  // An object document too long once written as JSON (rank_fields would select less of it).
  set(
    "documents",
    withOne(
      fc.array(fc.record({ text: docText }), { maxLength: 3 }),
      overLimit.map((t) => ({ text: t })),
    ),
    (body) => void delete body.rank_fields,
  ),
  remove("documents"),
  set(
    "top_n",
    fc
      .oneof(junk, fc.constantFrom(0, -1, 1.5, 2 ** 53, 1e300, "3"))
      .filter((v) => !(typeof v === "number" && Number.isSafeInteger(v) && v > 0)),
  ),
  set(
    "return_documents",
    fc.oneof(junk, fc.constantFrom("true", 1, 0)).filter((v) => typeof v !== "boolean"),
  ),
  set(
    "rank_fields",
    fc.oneof(
      junk.filter((v) => jsonKind(v) !== "array"),
      fc.constant([]),
      withOne(
        fc.constant(["text"]),
        fc.oneof(
          fc.constant(""),
          junk.filter((v) => jsonKind(v) !== "string"),
        ),
      ),
    ),
  ),
  unknownField(RERANK_FIELDS),
);

/** A valid body broken by one to three mutations, as the text sent, with the params a refusal may name. */
const invalidBody = (valid: fc.Arbitrary<Record<string, unknown>>, mutation: fc.Arbitrary<Mutation>) =>
  fc.oneof(
    {
      weight: 19,
      arbitrary: fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([base, mutations]) => {
        const body = { ...base };
        for (const m of mutations) m.apply(body);
        return { text: serialise(body), names: (param: string) => mutations.some((m) => m.names(param)) };
      }),
    },
    // Not an object, or not JSON at all: nothing to name.
    fc
      .constantFrom("null", "[]", "42", '"x"', "true", "{", "", '{"model":', "[{}]", "{'model':'x'}", "\ufeff{}")
      .map((text) => ({ text, names: undefined })),
  );

async function expectRefusal(res: Response, names: ((param: string) => boolean) | undefined, sent: string): Promise<void> {
  const text = await res.text();
  const why = `${res.status} ${text} for ${sent}`;
  expect(res.status >= 400 && res.status < 500, why).toBe(true);
  expect(res.headers.get("content-type"), why).toContain("application/json");
  const body = JSON.parse(text);
  expect(Object.keys(body), why).toEqual(["error"]);
  const { message, type, param, code } = body.error;
  expect(Object.keys(body.error).sort(), why).toEqual(["code", "message", "param", "type"]);
  expect(
    typeof message === "string" && message.length > 0 && typeof type === "string" && (code === null || typeof code === "string"),
    why,
  ).toBe(true);
  if (names) expect(typeof param === "string" && names(param), why).toBe(true);
  else expect(param === null || typeof param === "string", why).toBe(true);
}

describe("properties: invalid bodies", () => {
  it("Should refuse every invalid embeddings body with a 4xx in Together's shape, naming the field, without an upstream call", async () => {
    const gw = gateway(LIMITS);
    await fc.assert(
      fc.asyncProperty(invalidBody(validEmbeddings, embeddingsMutation), async ({ text, names }) => {
        await expectRefusal(await send(gw, "/v1/embeddings", text), names, text);
      }),
      { seed: SEED, numRuns: 600 },
    );
    expect((await gw.stats()).bodies).toEqual([]);
  });

  it("Should refuse every invalid rerank body with a 4xx in Together's shape, naming the field, without an upstream call", async () => {
    const gw = gateway(LIMITS);
    await fc.assert(
      fc.asyncProperty(invalidBody(validRerank, rerankMutation), async ({ text, names }) => {
        await expectRefusal(await send(gw, "/v1/rerank", text), names, text);
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect((await gw.stats()).bodies).toEqual([]);
  });
});

// --- Valid bodies --------------------------------------------------------------------------------

/** Up to `max` items drawn from a few, so duplicates are common. */
const withRepeats = <T>(item: fc.Arbitrary<T>, max: number) =>
  fc.array(item, { minLength: 1, maxLength: 4 }).chain((pool) => fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: max }));
const WORDS = ["llama", "peru", "panda", "china", "camel", "the", "live", "in", "animals"];
const sentence = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((words) => words.join(" "));

describe("properties: valid bodies round-trip", () => {
  it("Should answer every embeddings input, in order and with duplicates, with the upstream's vector as float and as base64", async () => {
    const gw = gateway(LIMITS);
    await fc.assert(
      fc.asyncProperty(fc.oneof(text(64), withRepeats(text(64), 8)), async (input) => {
        const texts = typeof input === "string" ? [input] : input;
        const asFloat = (await (await send(gw, "/v1/embeddings", serialise({ model: EMBED_MODEL, input }))).json()) as any;
        const asBase64 = (await (
          await send(gw, "/v1/embeddings", serialise({ model: EMBED_MODEL, input, encoding_format: "base64" }))
        ).json()) as any;
        expect(asFloat.data.map((d: any) => d.index)).toEqual(texts.map((_, i) => i));
        texts.forEach((t, i) => {
          const expected = standInVector(EMBED_MODEL, t, 8);
          expect(Float32Array.from(asFloat.data[i].embedding)).toEqual(expected);
          expect(decodeBase64Vector(asBase64.data[i].embedding)).toEqual(expected);
        });
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("Should score every document with the upstream's score and rank them best first, ties in input order", async () => {
    const gw = gateway(LIMITS);
    const request = fc.record(
      {
        query: fc.oneof(sentence, text(64)),
        documents: withRepeats(fc.oneof(sentence, text(64)), 8),
        top_n: fc.integer({ min: 1, max: 10 }),
        return_documents: fc.boolean(),
      },
      { requiredKeys: ["query", "documents"] },
    );
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const res = await send(gw, "/v1/rerank", serialise({ model: RERANK_MODEL, ...req }));
        const body = (await res.json()) as any;
        const expected = req.documents
          .map((doc, index) => ({
            index,
            relevance_score: standInScore(req.query, doc),
            ...(req.return_documents ? { document: { text: doc } } : {}),
          }))
          .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
          .slice(0, req.top_n);
        expect(body.results).toEqual(expected);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// --- Damaged cache entries -----------------------------------------------------------------------

const CANONICAL_LENGTH = 44;
/** What the gateway may serve from the store: canonical base64 of eight finite float32 values. */
function trueVector(value: string): boolean {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return false;
  return decodeBase64Vector(value).every(Number.isFinite);
}
const replaceSome = (canonical: string, chars: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(fc.nat({ max: CANONICAL_LENGTH - 1 }), chars), { minLength: 1, maxLength: 3 }).map((edits) => {
    const out = [...canonical];
    for (const [at, ch] of edits) out[at] = ch;
    return out.join("");
  });
/** Stored strings that are not what the gateway writes, as functions of the true value. */
const damagedVector = (canonical: string) =>
  fc
    .oneof(
      replaceSome(canonical, fc.constantFrom('"', "\\")),
      replaceSome(
        canonical,
        fc.oneof(fc.constantFrom("-", "_", "*", ".", "é", "\u0000", "=", "\ud800", "🦙"), fc.string({ minLength: 1, maxLength: 1 })),
      ),
      // Right length with white space where the padding was: decodes, yet is not canonical.
      fc
        .tuple(fc.nat({ max: CANONICAL_LENGTH - 1 }), fc.constantFrom(" ", "\n", "\r", "\t", "\f"))
        .map(([at, ws]) => canonical.slice(0, at) + ws + canonical.slice(at, -1)),
      // Valid base64 whose bits are NaN or an infinity in some position.
      fc.tuple(fc.nat({ max: 7 }), fc.boolean(), fc.nat({ max: 0x7fffff })).map(([index, negative, mantissa]) => {
        const floats = decodeBase64Vector(canonical);
        new Uint32Array(floats.buffer)[index] = ((negative ? 0x80000000 : 0) | 0x7f800000 | mantissa) >>> 0;
        return floatsToBase64(floats);
      }),
      fc.constantFrom(
        "",
        "AAAA",
        canonical.slice(0, -4),
        `${canonical}AAAA`,
        floatsToBase64(new Float32Array(7)),
        floatsToBase64(new Float32Array(9)),
      ),
      fc.string({ minLength: CANONICAL_LENGTH, maxLength: CANONICAL_LENGTH }),
    )
    .filter((value) => !trueVector(value));
const canonicalScore = (value: string) => value !== "" && Number.isFinite(Number(value)) && String(Number(value)) === value;
const damagedScore = fc
  .oneof(
    fc.constantFrom(
      "0.5garbage",
      "0x10",
      " 1",
      "1 ",
      "1e999",
      "NaN",
      "",
      "-0",
      "Infinity",
      "+1",
      "01",
      "1.0",
      ".5",
      '"0.5"',
      "0.5\n",
      "null",
    ),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .chain((d) => fc.constantFrom(d.toFixed(3), d.toExponential(2), d.toPrecision(12), `${d}0`)),
    fc.string({ maxLength: 8 }),
  )
  .filter((value) => !canonicalScore(value));

/** A damaged entry for each of up to eight texts: each request reads several damaged values at once. */
const damagedVectors = fc
  .uniqueArray(text(64), { minLength: 1, maxLength: 8 })
  .chain((texts) =>
    fc.tuple(...texts.map((t) => damagedVector(floatsToBase64(standInVector(EMBED_MODEL, t, 8))).map((stored) => ({ text: t, stored })))),
  );
const damagedScores = fc
  .record({ query: fc.oneof(sentence, text(64)), documents: fc.uniqueArray(fc.oneof(sentence, text(64)), { minLength: 1, maxLength: 8 }) })
  .chain(({ query, documents }) =>
    fc.record({
      query: fc.constant(query),
      damaged: fc.tuple(...documents.map((doc) => fc.record({ doc: fc.constant(doc), stored: fc.option(damagedScore) }))),
    }),
  );

describe.each(STORES.map((variant, i) => ({ ...variant, numRuns: i === 0 ? 30 : 20 })))(
  "properties: damaged cache entries never reach a client ($name)",
  ({ vars, numRuns }) => {
    it("Should answer with valid JSON and the upstream's vectors whatever the store held, replacing each damaged entry", async () => {
      const gw = gateway({ ...LIMITS, ...vars });
      await fc.assert(
        fc.asyncProperty(damagedVectors, fc.constantFrom("float", "base64"), async (damaged, encoding) => {
          const texts = damaged.map((d) => d.text);
          const keys = await storeKeysOf(gw, EMBED_MODEL, texts);
          await storeOf(gw).putMany(
            keys.map((key, i) => [key, damaged[i].stored]),
            600,
          );
          const res = await send(gw, "/v1/embeddings", serialise({ model: EMBED_MODEL, input: texts, encoding_format: encoding }));
          const raw = await res.text();
          const why = `${JSON.stringify(damaged.map((d) => d.stored))} served as ${raw.slice(0, 300)}`;
          expect(() => JSON.parse(raw), why).not.toThrow();
          const { data } = JSON.parse(raw);
          expect(data, why).toHaveLength(texts.length);
          texts.forEach((t, i) => {
            const vector = encoding === "float" ? Float32Array.from(data[i].embedding) : decodeBase64Vector(data[i].embedding);
            expect(vector, why).toEqual(standInVector(EMBED_MODEL, t, 8));
          });
          const stored = await storeOf(gw).getMany(keys);
          expect(
            keys.map((key) => stored.get(key)),
            why,
          ).toEqual(texts.map((t) => floatsToBase64(standInVector(EMBED_MODEL, t, 8))));
        }),
        { seed: SEED, numRuns },
      );
    });

    it("Should answer with the upstream's scores whatever the store held, replacing each damaged score", async () => {
      const gw = gateway({ ...LIMITS, ...vars });
      await fc.assert(
        fc.asyncProperty(damagedScores, async ({ query, damaged }) => {
          const documents = damaged.map((d) => d.doc);
          const keys = await storeKeysOf(gw, RERANK_MODEL, documents, query);
          // Every key is written, so no case depends on an earlier one: damaged, or the true score (a hit).
          const entries = keys.map((key, i) => [key, damaged[i].stored ?? String(standInScore(query, documents[i]))] as const);
          await storeOf(gw).putMany(entries, 600);
          const res = await send(gw, "/v1/rerank", serialise({ model: RERANK_MODEL, query, documents }));
          const body = (await res.json()) as any;
          const why = JSON.stringify(entries.map(([, value]) => value));
          expect(body.results, why).toHaveLength(documents.length);
          expect(
            body.results.map((r: any) => r.relevance_score),
            why,
          ).toEqual(body.results.map((r: any) => standInScore(query, documents[r.index])));
          const stored = await storeOf(gw).getMany(keys);
          expect(
            keys.map((key) => stored.get(key)),
            why,
          ).toEqual(documents.map((doc) => String(standInScore(query, doc))));
        }),
        { seed: SEED, numRuns },
      );
    });
  },
);

// --- Request limits (issue 16) --------------------------------------------------------------------

/** The error of a 400, checked for its param and the setting its message names. */
async function limitRefusal(res: Response, param: string, setting: string, sent: string): Promise<string> {
  const text = await res.text();
  const why = `${res.status} ${text} for ${sent}`;
  expect(res.status, why).toBe(400);
  const { error } = JSON.parse(text);
  expect(error.param, why).toBe(param);
  expect(error.message, why).toContain(setting);
  return error.message;
}

describe("properties: request limits", () => {
  it("Should answer an embeddings request only within MAX_RESPONSE_VALUES and, for float, MAX_FLOAT_VALUES", async () => {
    // test/tiny-embed makes 8 values per input: float up to 5 inputs, any encoding up to 12.
    const gw = gateway({ ...LIMITS, MAX_INPUTS: "16", MAX_FLOAT_VALUES: "40", MAX_RESPONSE_VALUES: "96" });
    await fc.assert(
      fc.asyncProperty(fc.array(embedInput, { minLength: 1, maxLength: 16 }), fc.constantFrom("float", "base64"), async (input, format) => {
        const sent = serialise({ model: EMBED_MODEL, input, encoding_format: format });
        const res = await send(gw, "/v1/embeddings", sent);
        if (input.length * 8 > 96) await limitRefusal(res, "input", "MAX_RESPONSE_VALUES", sent);
        else if (format === "float" && input.length * 8 > 40)
          expect(await limitRefusal(res, "encoding_format", "MAX_FLOAT_VALUES", sent)).toContain('"base64"');
        else {
          expect(res.status, sent).toBe(200);
          expect(((await res.json()) as any).data).toHaveLength(input.length);
        }
      }),
      { seed: SEED, numRuns: 80 },
    );
  });

  it("Should answer rerank only within MAX_RANK_FIELDS and MAX_DOCUMENT_DEPTH, else name the first param over", async () => {
    const gw = gateway({ MAX_RANK_FIELDS: "3", MAX_DOCUMENT_DEPTH: "3" });
    const nestedDocument = fc.tuple(fc.integer({ min: 1, max: 5 }), docText).map(([depth, t]) => {
      let doc: Record<string, unknown> = { text: t };
      for (let level = 1; level < depth; level++) doc = { text: t, inner: doc };
      return { doc, depth };
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(nestedDocument, { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom("text", "inner", "title", "body", "tags"), { minLength: 1, maxLength: 6 }),
        async (docs, rank_fields) => {
          const sent = serialise({ model: RERANK_MODEL, query: "q", documents: docs.map((d) => d.doc), rank_fields });
          const res = await send(gw, "/v1/rerank", sent);
          // Refusals come in body order: documents are written before rank_fields.
          const deep = docs.findIndex((d) => d.depth > 3);
          if (deep >= 0) await limitRefusal(res, `documents[${deep}]`, "MAX_DOCUMENT_DEPTH", sent);
          else if (rank_fields.length > 3) await limitRefusal(res, "rank_fields", "MAX_RANK_FIELDS", sent);
          else {
            expect(res.status, sent).toBe(200);
            expect(((await res.json()) as any).results).toHaveLength(docs.length);
          }
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });

  it("Should give the local models at most LOCAL_MAX_CHARS characters, counting BM25's query once per document", async () => {
    const gw = gateway({ MODELS: "", TOGETHER_API_KEY: "", LOCAL_PROVIDER: "on", LOCAL_MAX_CHARS: "60" });
    await fc.assert(
      fc.asyncProperty(fc.array(text(24), { minLength: 1, maxLength: 6 }), text(12), async (texts, query) => {
        const chars = texts.reduce((sum, t) => sum + t.length, 0);
        const embedSent = serialise({ model: "local/lexical-embed", input: texts });
        const embedded = await send(gw, "/v1/embeddings", embedSent);
        if (chars > 60) await limitRefusal(embedded, "input", "LOCAL_MAX_CHARS", embedSent);
        else expect(embedded.status, embedSent).toBe(200);
        const rerankSent = serialise({ model: "local/bm25-rerank", query, documents: texts });
        const reranked = await send(gw, "/v1/rerank", rerankSent);
        if (chars + query.length * texts.length > 60) await limitRefusal(reranked, "documents", "LOCAL_MAX_CHARS", rerankSent);
        else expect(reranked.status, rerankSent).toBe(200);
      }),
      { seed: SEED, numRuns: 80 },
    );
  });
});
