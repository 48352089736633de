import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import type { AppEnv } from "../app-env";
import { resolveItems } from "../cache/item-cache";
import { itemKeys, keyPrefix } from "../cache/keys";
import { cachePolicyFrom, setCacheHeaders } from "../cache/policy";
import { embeddingsJson } from "../codec/embeddings-json";
import { vectorShapeCheck } from "../codec/vector-base64";
import { invalidParam } from "../errors";
import { EmbeddingsRequestSchema, EmbeddingsResponseSchema } from "../schemas/embeddings";
import { ITEM_ROUTE_ERRORS } from "../schemas/error";
import { embedUpstream } from "../upstream/together";
import { overLimit, requireModel } from "./model-lookup";

export const embeddingsRoute = createRoute({
  method: "post",
  path: "/v1/embeddings",
  summary: "Create embeddings (Together/OpenAI compatible, cached per input)",
  request: { body: { required: true, content: { "application/json": { schema: EmbeddingsRequestSchema } } } },
  responses: {
    200: { description: "Embeddings in input order", content: { "application/json": { schema: EmbeddingsResponseSchema } } },
    ...ITEM_ROUTE_ERRORS,
  },
});

export function registerEmbeddings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(embeddingsRoute, async (c) => {
    const body = c.req.valid("json");
    const config = c.var.config;
    const model = requireModel(config, body.model, "embedding");
    const dimensions = model.dimensions!;
    if (body.dimensions !== undefined && body.dimensions !== dimensions) {
      throw invalidParam("dimensions", `The model '${model.id}' produces ${dimensions}-dimensional vectors and cannot shorten them; omit 'dimensions'.`, "unsupported_parameter");
    }
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const { maxInputs, maxInputChars } = config.limits;
    if (inputs.length > maxInputs) throw overLimit("input", `The number of inputs (${inputs.length})`, maxInputs, "MAX_INPUTS");
    const tooLong = inputs.findIndex((text) => text.length > maxInputChars);
    if (tooLong >= 0) throw overLimit(`input[${tooLong}]`, `The length of input ${tooLong} (${inputs[tooLong].length} characters)`, maxInputChars, "MAX_INPUT_CHARS");

    const keys = await itemKeys(await keyPrefix("emb", config.baseURL, model.id), inputs);
    const upstream = { config, requestId: c.var.requestId };
    const resolved = await resolveItems(
      c.env.EMBED_CACHE,
      {
        keys,
        isValid: vectorShapeCheck(dimensions),
        fetch: (items) => embedUpstream(upstream, model.id, dimensions, items.map((i) => inputs[i])),
        maxBatch: model.max_batch,
      },
      cachePolicyFrom(c.req.header("cache-control"), config),
      (work) => c.executionCtx.waitUntil(work),
    );

    setCacheHeaders(c, resolved);
    const json = embeddingsJson(model.id, resolved.values, resolved.usage, body.encoding_format ?? "float");
    // A typed JSON response built as text: the hot path skips JSON.stringify over the vectors.
    return c.body(json, 200, { "content-type": "application/json" }) as unknown as TypedResponse<z.infer<typeof EmbeddingsResponseSchema>, 200, "json">;
  });
}
