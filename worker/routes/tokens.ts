import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { isOriginAllowed } from "../auth/origin-guard";
import { mintToken, SCOPES } from "../auth/tokens";
import { TokenBudgetSchema } from "../budgets/rules";
import { ApiError, invalidParam } from "../errors";
import { CollectionName } from "../schemas/collections";
import { ACCESS_ERRORS, ErrorDataSchema } from "../schemas/error";

const MintRequestSchema = z
  .object({
    sub: z.string().min(1).max(256).openapi({ description: "Your user's id: the rate-limit key", example: "user-42" }),
    ttl_seconds: z.number().int().positive().optional().openapi({ description: "Capped at TOKEN_MAX_TTL_SECONDS" }),
    origin: z
      .string()
      .url()
      .optional()
      .openapi({ description: "The browser origin the token is bound to", example: "https://app.example.com" }),
    any_origin: z
      .boolean()
      .optional()
      .openapi({ description: "true for a token without `origin`, usable from every allowed origin: say so, never by omission" }),
    scopes: z.array(z.enum(SCOPES)).min(1).optional(),
    collections: z
      .array(CollectionName)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Restricts the token to these collections", example: ["docs"] }),
    tier: z.string().max(32).optional(),
    budget: TokenBudgetSchema.optional().openapi({
      description: 'A spending bound for this token\'s subject, on top of BUDGETS (README, "Usage and budgets")',
    }),
  })
  .strict()
  .openapi("MintTokenRequest");

export const tokensRoute = createRoute({
  tags: ["Tokens"],
  method: "post",
  path: "/v1/tokens",
  summary: "Mint a short-lived browser token (server keys only)",
  request: { body: { required: true, content: { "application/json": { schema: MintRequestSchema } } } },
  responses: {
    200: {
      description: "A signed HS256 token",
      content: {
        "application/json": { schema: z.object({ token: z.string(), expires_at: z.number().int(), token_type: z.literal("Bearer") }) },
      },
    },
    ...ACCESS_ERRORS,
    400: { description: "Invalid request", content: { "application/json": { schema: ErrorDataSchema } } },
    403: { description: "Not a server key, or a disallowed origin", content: { "application/json": { schema: ErrorDataSchema } } },
    404: { description: "Tokens are only issued when AUTH_MODE=token", content: { "application/json": { schema: ErrorDataSchema } } },
    413: { description: "Body too large", content: { "application/json": { schema: ErrorDataSchema } } },
    415: { description: "Body is not application/json", content: { "application/json": { schema: ErrorDataSchema } } },
  },
});

export function registerTokens(app: OpenAPIHono<AppEnv>): void {
  app.openapi(tokensRoute, async (c) => {
    const { auth, allowedOrigins } = c.get("config");
    if (auth.mode !== "token") throw new ApiError(404, "tokens_disabled", "Tokens are only issued when AUTH_MODE=token.");
    if (c.get("principal").kind !== "server-key") throw new ApiError(403, "server_key_required", "Only a server key may mint tokens.");
    const body = c.req.valid("json");
    const origin = body.origin?.replace(/\/+$/, "");
    if (origin && !isOriginAllowed(allowedOrigins, origin)) {
      throw invalidParam("origin", `The origin '${origin}' is not in ALLOWED_ORIGINS.`);
    }
    // A token for every origin is a choice the backend makes explicitly, never by leaving `origin` out.
    if (!origin && body.any_origin !== true) {
      throw invalidParam(
        "origin",
        "Bind the token to the page's 'origin', or pass 'any_origin: true' for a token every allowed origin may use.",
      );
    }
    if (origin && body.any_origin === true) throw invalidParam("any_origin", "Pass either 'origin' or 'any_origin: true', not both.");
    const ttlSeconds = Math.min(body.ttl_seconds ?? auth.tokenMaxTtlSeconds, auth.tokenMaxTtlSeconds);
    const { token, expiresAt } = await mintToken(auth.tokenSecret, {
      sub: body.sub,
      // Server keys always carry their id (authenticate sets it).
      keyId: c.get("principal").keyId as string,
      ttlSeconds,
      origin,
      scopes: body.scopes,
      collections: body.collections,
      tier: body.tier,
      budget: body.budget,
    });
    c.header("Cache-Control", "no-store");
    return c.json({ token, expires_at: expiresAt, token_type: "Bearer" as const }, 200);
  });
}
