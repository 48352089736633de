import type { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { validator } from "hono/validator";
import type { AppEnv } from "../app-env";
import type { GatewayConfig } from "../config";
import { unsupportedMediaType } from "../errors";
import { validationError } from "./error";
import { prescanJson, type ScanRules } from "./json-prescan";

/** JSON and JSON-based media types (`application/json`, `application/merge-patch+json`), parameters allowed. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Runs `parse` with stack traces off. A refused body makes zod build a ZodError, and an Error
 * captures its stack when constructed: a cost on every 400 whose trace nobody reads (the error is
 * turned into a JSON answer at once).
 */
function withoutStackTraces<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The hot routes' body validator: Hono's own `validator("json")` with zod's synchronous parse, in
 * one middleware. `app.openapi()` would put three async layers in front of the route (a media-type
 * gate, zod-validator, Hono's validator) that read the headers again and await zod's async parse,
 * a measurable share of a cache hit's CPU; the route's schema is still registered for the OpenAPI
 * document. A body that is not JSON-typed is a 415, malformed JSON a 400 (`invalid_json`, via
 * Hono's HTTPException), and a schema violation our 400 naming the param.
 */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return validator("json", (value, c): z.output<S> | Promise<never> => {
    const result = withoutStackTraces(() => schema.safeParse(value));
    if (result.success) {
      c.set("jsonBody", value);
      return result.data;
    }
    // Hono's validator parses the body only when it is JSON-typed and hands over {} otherwise, which
    // no item schema accepts (`model` is required): so the content type is read only on a failure.
    const contentType = c.req.header("content-type");
    if (contentType === undefined) {
      // Without a Content-Type, a non-empty body is in the wrong media type; an empty one lacks its fields.
      return c.req.text().then((text) => {
        throw text.length > 0 ? unsupportedMediaType() : validationError(result.error, value);
      });
    }
    if (!JSON_MEDIA_TYPE.test(contentType)) throw unsupportedMediaType();
    throw validationError(result.error, value);
  });
}

/**
 * The request's limits checked on the raw body before it is parsed (see `prescanJson`), for the
 * middleware in front of `jsonBody`. Reads the body as text, which Hono keeps, so the validator
 * parses the same text rather than reading the body again. Bodies that are not JSON-typed pass
 * through to `jsonBody`'s 415.
 *
 * @example
 * app.post("/v1/embeddings", scanBody((limits) => ({ input: { items: {...} } })), jsonBody(Schema), handler);
 */
export function scanBody(rulesFor: (limits: GatewayConfig["limits"]) => ScanRules): MiddlewareHandler<AppEnv> {
  const rulesByConfig = new WeakMap<GatewayConfig, ScanRules>();
  return async function scanBody(c, next) {
    const contentType = c.req.header("content-type");
    if (contentType !== undefined && JSON_MEDIA_TYPE.test(contentType)) {
      const config = c.get("config");
      let rules = rulesByConfig.get(config);
      if (!rules) {
        rules = rulesFor(config.limits);
        rulesByConfig.set(config, rules);
      }
      const text = await c.req.text();
      withoutStackTraces(() => prescanJson(text, rules));
    }
    return next();
  };
}
