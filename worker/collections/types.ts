/** How a collection compares vectors; `euclidean` scores are distances (lower is closer), as in Vectorize. */
export type Metric = "cosine" | "dot" | "euclidean";

/** Where a collection's records live. */
export type StoreKind = "durable-object" | "vectorize";

/** What a collection is made of, fixed at creation. */
export interface CollectionSpec {
  name: string;
  model: string;
  dimensions: number;
  metric: Metric;
  query_prefix?: string;
  document_prefix?: string;
  description?: string;
  /** Unix seconds; also tells a re-created collection apart from the one it replaced. */
  created_at: number;
}

/** A collection as listed. */
export interface CollectionInfo extends CollectionSpec {
  count: number;
  store: StoreKind;
}

/** Metadata values a record may carry: flat, Vectorize-filterable. */
export type MetadataValue = string | number | boolean | string[];
export type Metadata = Record<string, MetadataValue>;

/** A record as written to a store: its vector already embedded (cosine vectors already unit length). */
export interface StoredRecord {
  id: string;
  text: string;
  metadata: Metadata | undefined;
  /** Hash of (model, dimensions, document prefix, text): equal hashes mean an equal vector. */
  hash: string;
  vector: Float32Array;
}

/** What a store knows of a record before an upsert: enough to tell whether it changed. */
export interface PriorRecord {
  hash: string;
  /** The metadata as canonical JSON ("" when none). */
  metadata: string;
}

/** One search hit of a store, best first. */
export interface Match {
  id: string;
  score: number;
}

export type Comparison = "$eq" | "$ne" | "$in" | "$nin" | "$lt" | "$lte" | "$gt" | "$gte";
export type Scalar = string | number | boolean;

/** A parsed filter: comparisons on metadata fields, combined with and/or. */
export type FilterNode = { op: "and" | "or"; children: FilterNode[] } | { op: Comparison; field: string; value: Scalar | Scalar[] };
