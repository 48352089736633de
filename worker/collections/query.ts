// A query: embed the text through the item cache, search the collection, optionally rerank the
// candidates through the rerank cache, and attach what the caller asked to see.
import type { ItemStats } from "../cache/item-cache";
import { requireModel } from "../catalogue/resolve";
import { addUsage, type Usage } from "../common/token-usage";
import { type CollectionsContext, recordStore } from "./context";
import { collectionVector, withSpec } from "./records";
import type { FilterNode, Metadata } from "./types";

export interface QueryRequest {
  query: string;
  topK: number;
  filter: FilterNode | undefined;
  rerank?: { model: string; top_n?: number; rank_fields?: string[] };
  includeText: boolean;
  includeMetadata: boolean;
}

export interface QueryHit {
  id: string;
  score: number;
  rerank_score?: number;
  text?: string;
  metadata?: Metadata;
}

export interface QueryResult {
  model: string;
  data: QueryHit[];
  usage: Usage;
  /** Cache stats of the query's embedding, and of the rerank when there was one. */
  embedStats: ItemStats;
  rerankStats?: ItemStats;
}

/** The document a reranker scores for a hit: its text, or an object of the text and metadata when fields are named. */
const rerankDocument = (text: string, metadata: Metadata | undefined, rankFields: string[] | undefined) =>
  rankFields ? { ...metadata, text } : text;

export function queryCollection(cx: CollectionsContext, name: string, request: QueryRequest): Promise<QueryResult> {
  // The rerank model is checked before anything goes upstream: a bad one costs no embedding.
  const reranker = request.rerank ? requireModel(cx.gateway, request.rerank.model, "rerank") : undefined;
  return withSpec(cx, name, async (spec) => {
    const model = requireModel(cx.gateway, spec.model, "embedding");
    const store = recordStore(cx, name, spec.store);
    store.checkFilter?.(request.filter);
    const queryText = [(spec.query_prefix ?? "") + request.query];
    const embedded = await cx.items.embed(model, queryText);
    const vector = collectionVector(spec, embedded.values[0], model.spec.dimensions!);
    const hits = await store.query(spec, vector, request.topK, request.filter);
    let usage = embedded.usage;
    const needRecords = request.includeText || request.includeMetadata || reranker !== undefined;
    const records =
      needRecords && hits.length > 0
        ? await store.get(
            spec,
            hits.map((h) => h.id),
          )
        : [];
    // A record deleted between the search and the read is left out (it would rerank as an empty text).
    const kept = needRecords
      ? hits.flatMap((hit, i) => (records[i] ? [{ hit, record: records[i] }] : []))
      : hits.map((hit) => ({ hit, record: null }));
    let data: QueryHit[] = kept.map(({ hit, record }) => {
      const out: QueryHit = { id: hit.id, score: hit.score };
      if (request.includeText && record) out.text = record.text;
      if (request.includeMetadata && record) out.metadata = record.metadata ?? {};
      return out;
    });
    let rerankStats: ItemStats | undefined;
    if (reranker && request.rerank && data.length > 0) {
      const rankFields = request.rerank.rank_fields;
      const documents = kept.map(({ record }) => rerankDocument(record!.text, record!.metadata, rankFields));
      const reranked = await cx.items.rerank(reranker, { query: request.query, documents, rankFields });
      data.forEach((hit, i) => {
        hit.rerank_score = reranked.scores[i];
      });
      // Stable: equal rerank scores keep their vector order.
      data = data
        .map((hit, i) => ({ hit, i }))
        .sort((a, b) => b.hit.rerank_score! - a.hit.rerank_score! || a.i - b.i)
        .map(({ hit }) => hit)
        .slice(0, request.rerank.top_n ?? data.length);
      usage = addUsage(usage, reranked.usage);
      rerankStats = reranked.stats;
    }
    return { model: spec.model, data, usage, embedStats: embedded.stats, rerankStats };
  });
}
