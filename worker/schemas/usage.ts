import { z } from "@hono/zod-openapi";
import { BudgetRuleSchema } from "../config/budget-rules";

/** The fields usage can be grouped by. */
export const GROUP_FIELDS = ["model", "subject", "provider", "operation"] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

const unixSeconds = z.coerce.number().int().nonnegative().max(253_402_300_799);

/** GET /v1/usage query, modelled on OpenAI's Usage API. */
export const UsageQuerySchema = z
  .object({
    start_time: unixSeconds.openapi({
      description: "Start of the window, unix seconds (inclusive), aligned down to the bucket width",
      example: 1767225600,
    }),
    end_time: unixSeconds.optional().openapi({ description: "End of the window, unix seconds (exclusive); default now" }),
    bucket_width: z.enum(["1m", "1h", "1d"]).default("1d").openapi({ description: "Bucket width; default 1d" }),
    group_by: z
      .string()
      .regex(new RegExp(`^(?:${GROUP_FIELDS.join("|")})(?:,(?:${GROUP_FIELDS.join("|")}))*$`), `a comma list of ${GROUP_FIELDS.join(", ")}`)
      .optional()
      .openapi({ description: `Comma list of ${GROUP_FIELDS.join(", ")}`, example: "model,subject" }),
    subject: z.string().min(1).max(600).optional().openapi({ description: "Only this subject (`key:<id>`, `token:<id>`, `ip:<address>`)" }),
    model: z.string().min(1).max(300).optional().openapi({ description: "Only this model (its catalogue id)" }),
    limit: z.coerce.number().int().min(1).max(1440).optional().openapi({
      description: "Most buckets in a page: default 7 (1d), 24 (1h), 60 (1m); at most 31, 168, 1440",
    }),
    page: z
      .string()
      .regex(/^\d{1,12}$/, "a next_page value from an earlier answer")
      .optional()
      .openapi({ description: "The `next_page` of the previous answer" }),
  })
  .strict();

const UsageResultSchema = z
  .object({
    object: z.literal("usage.result"),
    model: z.string().optional(),
    subject: z.string().optional(),
    provider: z.string().optional(),
    operation: z.string().optional(),
    num_requests: z.number().int(),
    inputs: z.number().int(),
    cache_hits: z.number().int().openapi({ description: "Distinct inputs answered from the cache (memory_hits + store_hits)" }),
    memory_hits: z.number().int(),
    store_hits: z.number().int(),
    upstream_inputs: z.number().int(),
    input_tokens: z.number().int().openapi({ description: "Tokens the providers billed (estimated ones included)" }),
    estimated_tokens: z
      .number()
      .int()
      .openapi({ description: "The part of input_tokens estimated at 4 characters a token (the provider reported none)" }),
    cost_usd: z.number(),
    saved_usd: z.number().openapi({
      description: "What the cache hits would have cost on the model's first route (hit tokens estimated at 4 characters a token)",
    }),
  })
  .openapi("UsageResult");

export const UsagePageSchema = z
  .object({
    object: z.literal("page"),
    data: z.array(
      z.object({
        object: z.literal("bucket"),
        start_time: z.number().int(),
        end_time: z.number().int(),
        results: z.array(UsageResultSchema),
      }),
    ),
    has_more: z.boolean(),
    next_page: z.string().nullable(),
  })
  .openapi("UsagePage");

const SpentSchema = z.object({ usd: z.number(), tokens: z.number().int(), inputs: z.number().int(), resets_at: z.number().int() });

export const BudgetStateSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        rule: BudgetRuleSchema,
        /** The rule's subjects with their use of the current period (for a class rule, the ones that spent most today). */
        subjects: z.array(z.object({ subject: z.string(), used: SpentSchema })),
      }),
    ),
  })
  .openapi("BudgetState");
