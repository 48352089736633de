import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { type CollectionScope, checkCollectionAccess } from "../auth/collection-access";
import { collectionsContext } from "../collections/context";
import { parseFilter } from "../collections/filter";
import { queryCollection } from "../collections/query";
import { deleteRecords, getRecord, upsertRecords } from "../collections/records";
import { createCollection, deleteCollection, listCollections, publicInfo, specOf } from "../collections/specs";
import type { GatewayConfig } from "../config";
import { invalidParam } from "../errors";
import {
  COLLECTION_NAME,
  CollectionNameParam,
  CollectionSchema,
  CreateCollectionSchema,
  DeleteRecordsSchema,
  QueryResultSchema,
  QuerySchema,
  RecordOutSchema,
  UpsertRecordsSchema,
  UpsertResultSchema,
} from "../schemas/collections";
import { ACCESS_ERRORS, ErrorDataSchema, ITEM_ROUTE_ERRORS } from "../schemas/error";
import { jsonBody } from "../schemas/json-body";
import { overLimit, requireQuery } from "../schemas/over-limit";
import { requireWellFormed } from "../schemas/well-formed";
import { cacheStatus, setItemHeaders } from "./item-headers";

const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { "application/json": { schema } } });
const notFound = json(ErrorDataSchema, "No such collection (collection_not_found) or record (record_not_found)");
const body = <S extends z.ZodType>(schema: S) => ({ body: { required: true, content: { "application/json": { schema } } } });
const tags = ["Collections"];

const ROUTES = [
  createRoute({
    tags,
    method: "get",
    path: "/v1/collections",
    summary: "List collections",
    responses: {
      200: json(z.object({ object: z.literal("list"), data: z.array(CollectionSchema) }), "Collections by name"),
      ...ACCESS_ERRORS,
    },
  }),
  createRoute({
    tags,
    method: "put",
    path: "/v1/collections/{name}",
    summary: "Create a collection (the same spec again is a 200)",
    request: { params: CollectionNameParam, ...body(CreateCollectionSchema) },
    responses: {
      200: json(CollectionSchema, "Already there, same spec"),
      201: json(CollectionSchema, "Created"),
      409: json(ErrorDataSchema, "Exists with another spec"),
      ...ITEM_ROUTE_ERRORS,
    },
  }),
  createRoute({
    tags,
    method: "get",
    path: "/v1/collections/{name}",
    summary: "Read a collection",
    request: { params: CollectionNameParam },
    responses: { 200: json(CollectionSchema, "The collection"), 404: notFound, ...ACCESS_ERRORS },
  }),
  createRoute({
    tags,
    method: "delete",
    path: "/v1/collections/{name}",
    summary: "Delete a collection and its records",
    request: { params: CollectionNameParam },
    responses: {
      200: json(z.object({ object: z.literal("collection.deleted"), name: z.string(), deleted: z.literal(true) }), "Deleted"),
      404: notFound,
      ...ACCESS_ERRORS,
    },
  }),
  createRoute({
    tags,
    method: "post",
    path: "/v1/collections/{name}/records",
    summary: "Upsert records by id (texts embedded through the item cache; unchanged records cost nothing)",
    request: { params: CollectionNameParam, ...body(UpsertRecordsSchema) },
    responses: { 200: json(UpsertResultSchema, "What was written"), ...ITEM_ROUTE_ERRORS, 404: notFound },
  }),
  createRoute({
    tags,
    method: "get",
    path: "/v1/collections/{name}/records/{id}",
    summary: "Read a record",
    request: { params: CollectionNameParam.extend({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }) },
    responses: { 200: json(RecordOutSchema, "The record"), 404: notFound, ...ACCESS_ERRORS },
  }),
  createRoute({
    tags,
    method: "post",
    path: "/v1/collections/{name}/records/delete",
    summary: "Delete records by id",
    request: { params: CollectionNameParam, ...body(DeleteRecordsSchema) },
    responses: { 200: json(z.object({ deleted: z.number().int() }), "How many were stored"), 404: notFound, ...ACCESS_ERRORS },
  }),
  createRoute({
    tags,
    method: "post",
    path: "/v1/collections/{name}/query",
    summary: "Search a collection by text, optionally reranked",
    request: { params: CollectionNameParam, ...body(QuerySchema) },
    responses: {
      200: json(QueryResultSchema, "Best first; X-Cache describes the query's embedding, X-Rerank-Cache the rerank"),
      ...ITEM_ROUTE_ERRORS,
      404: notFound,
    },
  }),
];

/** The path's collection name, or a 400 naming `name`. */
export function collectionName(c: Context<AppEnv>): string {
  const name = c.req.param("name") ?? "";
  if (!COLLECTION_NAME.test(name))
    throw invalidParam(
      "name",
      `Invalid 'name': '${name.slice(0, 80)}' is not a collection name (1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit).`,
    );
  return name;
}

/** The scope a route needs, checked with the token's collection list before the route runs. */
export function collectionAccess(scope: CollectionScope): MiddlewareHandler<AppEnv> {
  return async function collectionAccess(c, next) {
    const name = c.req.param("name");
    checkCollectionAccess(c.get("principal"), scope, name === undefined ? undefined : collectionName(c));
    await next();
  };
}

/** Below SQLite's 2 MB row in a Durable Object, with room for the vector and metadata. */
const MAX_TEXT_BYTES = 1_500_000;

const read = collectionAccess("collections:read");
const write = collectionAccess("collections:write");
const render = (info: ReturnType<typeof publicInfo>) => ({ object: "collection" as const, ...info });

/** The limits of an upsert, checked before anything is embedded: counts, lengths, a SQLite row's size, well-formed text. */
function checkUpsertRecords(records: ReadonlyArray<{ id: string; text: string }>, limits: GatewayConfig["limits"]): void {
  const { maxInputs, maxInputChars } = limits;
  if (records.length > maxInputs) throw overLimit("records", `The number of records (${records.length})`, maxInputs, "MAX_INPUTS");
  const tooLong = records.findIndex((r) => r.text.length > maxInputChars);
  if (tooLong >= 0) throw overLimit(`records[${tooLong}].text`, `The length of record ${tooLong}'s text`, maxInputChars, "MAX_INPUT_CHARS");
  // A Durable Object's SQLite row holds at most 2 MB: only reachable when MAX_INPUT_CHARS is raised.
  const tooBig = records.findIndex((r) => r.text.length > 500_000 && new TextEncoder().encode(r.text).byteLength > MAX_TEXT_BYTES);
  if (tooBig >= 0)
    throw invalidParam(
      `records[${tooBig}].text`,
      `Invalid 'records[${tooBig}].text': a record's text is at most ${MAX_TEXT_BYTES} bytes of UTF-8.`,
    );
  requireWellFormed(
    records.map((r) => r.text),
    (i) => `records[${i}].text`,
  );
  requireWellFormed(
    records.map((r) => r.id),
    (i) => `records[${i}].id`,
  );
}

export function registerCollections(app: OpenAPIHono<AppEnv>): void {
  for (const route of ROUTES) app.openAPIRegistry.registerPath(route);

  app.get("/v1/collections", read, async (c) => {
    const allowed = c.get("principal").collections;
    const data = await listCollections(collectionsContext(c), allowed);
    return c.json({ object: "list" as const, data: data.map(render) }, 200);
  });

  app.put("/v1/collections/:name", write, jsonBody(CreateCollectionSchema), async (c) => {
    const { info, created } = await createCollection(collectionsContext(c), collectionName(c), c.req.valid("json"));
    return c.json(render(info), created ? 201 : 200);
  });

  app.get("/v1/collections/:name", read, async (c) => {
    const info = await specOf(collectionsContext(c), collectionName(c), true);
    return c.json(render(publicInfo(info)), 200);
  });

  app.delete("/v1/collections/:name", write, async (c) => {
    const name = collectionName(c);
    await deleteCollection(collectionsContext(c), name);
    return c.json({ object: "collection.deleted" as const, name, deleted: true as const }, 200);
  });

  app.post("/v1/collections/:name/records", write, jsonBody(UpsertRecordsSchema), async (c) => {
    const { records } = c.req.valid("json");
    checkUpsertRecords(records, c.get("config").limits);
    const result = await upsertRecords(collectionsContext(c), collectionName(c), records);
    return c.json({ object: "upsert" as const, ...result }, 200);
  });

  app.get("/v1/collections/:name/records/:id", read, async (c) => {
    const record = await getRecord(collectionsContext(c), collectionName(c), c.req.param("id"));
    return c.json({ id: record.id, text: record.text, metadata: record.metadata ?? {} }, 200);
  });

  app.post("/v1/collections/:name/records/delete", write, jsonBody(DeleteRecordsSchema), async (c) => {
    const { ids } = c.req.valid("json");
    const { maxInputs } = c.get("config").limits;
    if (ids.length > maxInputs) throw overLimit("ids", `The number of ids (${ids.length})`, maxInputs, "MAX_INPUTS");
    return c.json({ deleted: await deleteRecords(collectionsContext(c), collectionName(c), ids) }, 200);
  });

  app.post("/v1/collections/:name/query", read, jsonBody(QuerySchema), async (c) => {
    const q = c.req.valid("json");
    requireQuery(q.query, c.get("config").limits);
    const result = await queryCollection(collectionsContext(c), collectionName(c), {
      query: q.query,
      topK: q.top_k ?? 10,
      filter: parseFilter(q.filter),
      rerank: q.rerank,
      includeText: q.include?.includes("text") ?? false,
      includeMetadata: q.include?.includes("metadata") ?? false,
    });
    setItemHeaders(c, result.embedStats);
    if (result.rerankStats) {
      const s = result.rerankStats;
      c.header("X-Rerank-Cache", cacheStatus(s.memoryHits + s.storeHits, s.misses));
    }
    return c.json({ object: "list" as const, model: result.model, data: result.data, usage: result.usage }, 200);
  });
}
