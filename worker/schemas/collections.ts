import { z } from "@hono/zod-openapi";

/** A collection name: lower-case letters, digits, `_` and `-`, 1-64 characters, starting with a letter or digit. */
export const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Most bytes of a record's metadata as JSON. */
export const MAX_METADATA_BYTES = 10 * 1024;
const encoder = new TextEncoder();

export const CollectionName = z.string().regex(COLLECTION_NAME, "a name is 1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit");

export const CollectionNameParam = z.object({
  name: CollectionName.openapi({ param: { name: "name", in: "path" }, example: "docs" }),
});

const Metric = z.enum(["cosine", "dot", "euclidean"]);

export const CreateCollectionSchema = z
  .object({
    model: z.string().min(1).openapi({ example: "BAAI/bge-base-en-v1.5" }),
    metric: Metric.optional().openapi({ description: "cosine (default), dot or euclidean (scores are distances, lower first)" }),
    dimensions: z.number().int().positive().optional().openapi({ description: "Matryoshka models only: a shorter size" }),
    description: z.string().max(1024).optional(),
    query_prefix: z.string().max(512).optional().openapi({ description: "Prepended to queries before embedding, e.g. 'query: '" }),
    document_prefix: z
      .string()
      .max(512)
      .optional()
      .openapi({ description: "Prepended to record texts before embedding, e.g. 'passage: '" }),
  })
  .strict()
  .openapi("CreateCollectionRequest");

export const CollectionSchema = z
  .object({
    object: z.literal("collection"),
    name: z.string(),
    model: z.string(),
    dimensions: z.number().int(),
    metric: Metric,
    count: z.number().int(),
    store: z.enum(["durable-object", "vectorize"]),
    created_at: z.number().int(),
    description: z.string().optional(),
    query_prefix: z.string().optional(),
    document_prefix: z.string().optional(),
  })
  .openapi("Collection");

const MetadataValue = z.union([z.string(), z.number().refine(Number.isFinite, "a finite number"), z.boolean(), z.array(z.string())]);

const RecordId = z
  .string()
  .min(1)
  .refine((id) => encoder.encode(id).byteLength <= 64, "an id is 1-64 bytes of UTF-8");

const RecordSchema = z
  .object({
    id: RecordId,
    text: z.string().min(1),
    metadata: z
      .record(z.string(), MetadataValue)
      .refine((m) => JSON.stringify(m).length <= MAX_METADATA_BYTES, `metadata is at most ${MAX_METADATA_BYTES} bytes of JSON`)
      .optional(),
  })
  .strict();

export const UpsertRecordsSchema = z
  .object({ records: z.array(RecordSchema).min(1) })
  .strict()
  .openapi("UpsertRecordsRequest");

const UsageSchema = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

export const UpsertResultSchema = z
  .object({
    object: z.literal("upsert"),
    upserted: z.number().int().openapi({ description: "Records written (new, or with a changed text or metadata)" }),
    unchanged: z.number().int().openapi({ description: "Records sent again as stored: nothing done" }),
    embedded: z.number().int().openapi({ description: "Texts that went upstream (the rest came from the item cache)" }),
    usage: UsageSchema,
  })
  .openapi("UpsertResult");

export const DeleteRecordsSchema = z
  .object({ ids: z.array(RecordId).min(1) })
  .strict()
  .openapi("DeleteRecordsRequest");

export const RecordOutSchema = z
  .object({ id: z.string(), text: z.string(), metadata: z.record(z.string(), MetadataValue) })
  .openapi("CollectionRecord");

export const QuerySchema = z
  .object({
    query: z.string().min(1).openapi({ example: "How do I rotate a key?" }),
    top_k: z.number().int().min(1).max(100).optional().openapi({ description: "1-100, default 10" }),
    filter: z.record(z.string(), z.unknown()).optional().openapi({
      description: "Vectorize's filter language: {field: value} or {field: {$eq|$ne|$in|$nin|$lt|$lte|$gt|$gte: value}}, ANDed",
    }),
    rerank: z
      .object({
        model: z.string().min(1),
        top_n: z.number().int().positive().optional(),
        rank_fields: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .optional(),
    include: z.array(z.enum(["text", "metadata"])).optional(),
  })
  .strict()
  .openapi("QueryCollectionRequest");

export const QueryResultSchema = z
  .object({
    object: z.literal("list"),
    model: z.string(),
    data: z.array(
      z.object({
        id: z.string(),
        score: z.number(),
        rerank_score: z.number().optional(),
        text: z.string().optional(),
        metadata: z.record(z.string(), MetadataValue).optional(),
      }),
    ),
    usage: UsageSchema,
  })
  .openapi("QueryCollectionResult");
