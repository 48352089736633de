import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { bearerToken } from "../auth/authenticate";
import { matchServerKey } from "../auth/server-keys";
import { ApiError, invalidParam } from "../errors";
import { ACCESS_ERRORS, ErrorDataSchema } from "../schemas/error";
import { BudgetStateSchema, UsagePageSchema, UsageQuerySchema } from "../schemas/usage";
import { budgetState, usagePage } from "../usage/report";

export const usageRoute = createRoute({
  tags: ["Usage"],
  method: "get",
  path: "/v1/usage",
  summary: "Usage, cost and cache savings over time (server keys only; OpenAI Usage API shape)",
  request: { query: UsageQuerySchema },
  responses: {
    200: { description: "Buckets with any requests, oldest first", content: { "application/json": { schema: UsagePageSchema } } },
    400: { description: "A bad parameter (named in `param`)", content: { "application/json": { schema: ErrorDataSchema } } },
    ...ACCESS_ERRORS,
  },
});

export const budgetsRoute = createRoute({
  tags: ["Usage"],
  method: "get",
  path: "/v1/usage/budgets",
  summary: "Each BUDGETS rule with its current use (server keys only)",
  responses: {
    200: { description: "Rules and the use of their current period", content: { "application/json": { schema: BudgetStateSchema } } },
    ...ACCESS_ERRORS,
  },
});

/** Usage is the operator's: a server key only (checked here too in open mode, where nobody else is asked for one). */
async function requireServerKey(c: Context<AppEnv>): Promise<void> {
  const principal = c.get("principal");
  if (principal.kind === "server-key") return;
  const presented = bearerToken(c.req.header("authorization"));
  if (principal.kind === "anonymous") {
    if (presented && (await matchServerKey(c.get("config").auth.serverKeys, c.get("gateway").keyDigests, presented))) return;
    if (!presented)
      throw new ApiError(401, "missing_credential", "Usage needs a server key: send 'Authorization: Bearer <server key>'.", {
        headers: { "WWW-Authenticate": 'Bearer realm="embed-edge"' },
      });
  }
  throw new ApiError(403, "server_key_required", "Only a server key may read usage.");
}

const DEFAULT_LIMIT = { "1d": 7, "1h": 24, "1m": 60 } as const;
const MAX_LIMIT = { "1d": 31, "1h": 168, "1m": 1440 } as const;
const WIDTH_SECONDS = { "1d": 86_400, "1h": 3600, "1m": 60 } as const;

/** The query as the ledger reads it, or a 400 naming the parameter. */
function ledgerQuery(q: z.infer<typeof UsageQuerySchema>, nowSeconds: number) {
  const width = WIDTH_SECONDS[q.bucket_width];
  const limit = q.limit ?? DEFAULT_LIMIT[q.bucket_width];
  if (limit > MAX_LIMIT[q.bucket_width]) {
    throw invalidParam("limit", `'limit' may be at most ${MAX_LIMIT[q.bucket_width]} for bucket_width ${q.bucket_width}.`);
  }
  const end = q.end_time ?? nowSeconds + 1;
  if (end <= q.start_time) throw invalidParam("end_time", "'end_time' must be after 'start_time'.");
  let start = Math.floor(q.start_time / width) * width;
  if (q.page !== undefined) {
    const page = Number(q.page);
    if (page < start || page >= end || page % width !== 0) throw invalidParam("page", "'page' is not a next_page of this query.");
    start = page;
  }
  const groupBy = q.group_by ? [...new Set(q.group_by.split(","))] : [];
  return {
    width: q.bucket_width,
    start,
    end,
    groupBy: groupBy as Array<"model" | "subject" | "provider" | "operation">,
    subject: q.subject,
    model: q.model,
    limit,
  };
}

export function registerUsage(app: OpenAPIHono<AppEnv>): void {
  app.openapi(usageRoute, async (c) => {
    await requireServerKey(c);
    const query = ledgerQuery(c.req.valid("query"), Math.floor(Date.now() / 1000));
    c.header("Cache-Control", "no-store");
    return c.json(await usagePage(c.env, query), 200);
  });
  app.openapi(budgetsRoute, async (c) => {
    await requireServerKey(c);
    c.header("Cache-Control", "no-store");
    return c.json(await budgetState(c.env, c.get("config").budgets), 200);
  });
}
