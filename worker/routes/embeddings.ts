import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { endTime, startTime } from "hono/timing";
import type { AppEnv } from "../app-env";
import { embedItems } from "../cache/embed-items";
import { cacheDeps, cachePolicyFrom, cacheSubjectOf } from "../cache/request-cache";
import { requireModel } from "../catalogue/resolve";
import { embeddingsBody } from "../codec/embeddings-json";
import { invalidParam } from "../errors";
import { EmbeddingsRequestSchema, EmbeddingsResponseSchema, embeddingsScanRules } from "../schemas/embeddings";
import { CACHE_CONTROL_PARAMETER, ITEM_ROUTE_ERRORS, ITEM_ROUTE_HEADERS } from "../schemas/error";
import { jsonBody, scanBody } from "../schemas/json-body";
import { account } from "../usage/account";
import { setItemHeaders } from "./item-headers";
import { overLimit, requireLocalVolume, requireResponseSize } from "./over-limit";
import { requireWellFormed } from "./well-formed";

export const embeddingsRoute = createRoute({
  tags: ["Embeddings"],
  method: "post",
  path: "/v1/embeddings",
  summary: "Create embeddings (Together/OpenAI compatible, cached per input)",
  parameters: [CACHE_CONTROL_PARAMETER],
  request: { body: { required: true, content: { "application/json": { schema: EmbeddingsRequestSchema } } } },
  responses: {
    200: {
      description: "Embeddings in input order",
      headers: ITEM_ROUTE_HEADERS,
      content: { "application/json": { schema: EmbeddingsResponseSchema } },
    },
    ...ITEM_ROUTE_ERRORS,
  },
});

export function registerEmbeddings(app: OpenAPIHono<AppEnv>): void {
  // Registered for the OpenAPI document; served with the one-layer body validator (see json-body.ts).
  app.openAPIRegistry.registerPath(embeddingsRoute);
  app.post(embeddingsRoute.path, scanBody(embeddingsScanRules), jsonBody(EmbeddingsRequestSchema), async (c) => {
    const body = c.req.valid("json");
    const config = c.get("config");
    const model = requireModel(c.get("gateway"), body.model, "embedding");
    const native = model.spec.dimensions!;
    const dimensions = body.dimensions ?? native;
    if (dimensions !== native && !(model.spec.matryoshka && dimensions < native)) {
      throw invalidParam(
        "dimensions",
        model.spec.matryoshka
          ? `The model '${body.model}' makes ${native}-dimensional vectors; 'dimensions' may be at most ${native}.`
          : `The model '${body.model}' makes ${native}-dimensional vectors and cannot shorten them; omit 'dimensions'.`,
        "unsupported_parameter",
      );
    }
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const { maxInputs, maxInputChars } = config.limits;
    if (inputs.length > maxInputs) throw overLimit("input", `The number of inputs (${inputs.length})`, maxInputs, "MAX_INPUTS");
    const tooLong = inputs.findIndex((text) => text.length > maxInputChars);
    if (tooLong >= 0)
      throw overLimit(
        `input[${tooLong}]`,
        `The length of input ${tooLong} (${inputs[tooLong].length} characters)`,
        maxInputChars,
        "MAX_INPUT_CHARS",
      );
    requireWellFormed(inputs, typeof body.input === "string" ? () => "input" : (i) => `input[${i}]`);
    const encoding = body.encoding_format ?? "float";
    requireResponseSize(config.limits, inputs.length, native, dimensions, encoding);
    requireLocalVolume(config.limits, model, "input", () => inputs.reduce((sum, text) => sum + text.length, 0));

    const deps = cacheDeps(c, model);
    const principal = c.get("principal");
    const cache = cachePolicyFrom(c.req.header("cache-control"), config, principal);
    const resolved = await embedItems(
      { requestId: c.get("requestId") },
      model,
      inputs,
      cache.policy,
      deps,
      cacheSubjectOf(config, principal),
    );
    account(c, model, inputs, resolved.stats);
    setItemHeaders(c, resolved.stats, cache.ignored);
    startTime(c, "encode");
    const json = embeddingsBody(body.model, resolved.values, resolved.keyOf, resolved.usage, {
      encoding,
      dimensions,
      nativeDimensions: native,
      memory: deps.memory,
    });
    // For a streamed body this times the start only: the vectors are printed as the client reads them.
    endTime(c, "encode");
    // A typed JSON response built as text: the hot path skips JSON.stringify over the vectors.
    return c.body(json, 200, { "content-type": "application/json" }) as unknown as TypedResponse<
      z.infer<typeof EmbeddingsResponseSchema>,
      200,
      "json"
    >;
  });
}
