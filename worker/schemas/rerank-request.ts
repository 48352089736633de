import type { z } from "@hono/zod-openapi";
import { type Document, documentIdentity, identityLength } from "../cache/rerank-items";
import { type ModelDirectory, requireModel, type ServedModel } from "../catalogue/resolve";
import type { GatewayConfig } from "../config";
import { invalidParam } from "../errors";
import { overLimit, requireLocalVolume } from "./over-limit";
import type { RerankRequestSchema } from "./rerank";
import { requireWellFormed } from "./well-formed";

/** A rerank request as the gateway serves it: documents with their cache identities, worked out once. */
export interface RerankCall {
  model: ServedModel;
  modelName: string;
  query: string;
  documents: readonly Document[];
  /** Each document's cache identity (`documentIdentity`), aligned with `documents`. */
  identities: readonly string[];
  rankFields: readonly string[] | undefined;
  topN: number | undefined;
  returnDocuments: boolean;
}

/**
 * Reads a validated body into the call it asks for, refusing (400, naming the param) what the model
 * or the limits do not allow. `documents` are the body's own, as JSON.parse made them: schema
 * validation copies objects, and a copy loses an own field named `__proto__` (it sets the prototype).
 */
export function readRerankRequest(
  body: z.infer<typeof RerankRequestSchema>,
  documents: readonly Document[],
  models: ModelDirectory,
  limits: GatewayConfig["limits"],
): RerankCall {
  const model = requireModel(models, body.model, "rerank");
  const { query } = body;
  const { maxDocuments, maxQueryChars, maxInputChars } = limits;
  if (documents.length > maxDocuments)
    throw overLimit("documents", `The number of documents (${documents.length})`, maxDocuments, "MAX_DOCUMENTS");
  if (query.length > maxQueryChars)
    throw overLimit("query", `The query length (${query.length} characters)`, maxQueryChars, "MAX_QUERY_CHARS");
  const allStrings = typeof documents[0] === "string";
  if (documents.some((d) => (typeof d === "string") !== allStrings)) {
    throw invalidParam("documents", "Documents must be all strings or all objects.");
  }
  const identities = documents.map((doc) => documentIdentity(doc, body.rank_fields));
  const tooLong = identities.findIndex((text) => identityLength(text) > maxInputChars);
  if (tooLong >= 0) throw overLimit(`documents[${tooLong}]`, `The length of document ${tooLong}`, maxInputChars, "MAX_INPUT_CHARS");
  requireWellFormed([query], () => "query");
  requireWellFormed(identities, (i) => `documents[${i}]`);
  requireLocalVolume(limits, model, "documents", () => {
    // BM25 reads every document and scores the query against each.
    let chars = query.length * identities.length;
    for (const identity of identities) chars += identityLength(identity);
    return chars;
  });
  return {
    model,
    modelName: body.model,
    query,
    documents,
    identities,
    rankFields: body.rank_fields,
    topN: body.top_n,
    returnDocuments: body.return_documents ?? false,
  };
}
