import type { ServedModel } from "../catalogue/resolve";
import { badUpstreamResponse } from "../errors";
import type { CallContext, RerankDocument } from "../providers/types";
import { type CacheDeps, type CachePolicy, type ItemRoute, resolveItems } from "./item-cache";
import { keyPrefix } from "./keys";

export type Document = string | Record<string, unknown>;

/**
 * The text a cross-encoder scores for a document, which is also its cache identity: a string as is,
 * an object as JSON of the `rank_fields` it selects (all fields when none are named). The `s:`/`o:`
 * tags keep a string that looks like JSON apart from an object.
 */
export function documentIdentity(doc: Document, rankFields: readonly string[] | undefined): string {
  if (typeof doc === "string") return `s:${doc}`;
  return `o:${documentText(doc, rankFields)}`;
}

/** The text of a document: a string as is, an object as JSON of its selected fields. */
export function documentText(doc: Document, rankFields: readonly string[] | undefined): string {
  if (typeof doc === "string") return doc;
  if (!rankFields) return JSON.stringify(doc);
  // Built field by field so a field named `__proto__` stays an own field.
  const selected: Record<string, unknown> = {};
  for (const field of rankFields) {
    if (Object.hasOwn(doc, field))
      Object.defineProperty(selected, field, { value: doc[field], enumerable: true, writable: true, configurable: true });
  }
  return JSON.stringify(selected);
}

/** The length a document counts against MAX_INPUT_CHARS: its identity without the two-character tag. */
export const identityLength = (identity: string) => identity.length - 2;

/** A canonical score string: what the gateway writes, and the only thing it accepts back from the store. */
const isCanonicalScore = (value: string) => {
  const n = Number(value);
  return value !== "" && Number.isFinite(n) && String(n) === value;
};

/**
 * Scores every document against `query` through the cache (per query-document pair), aligned with
 * `documents`. One function for the route to call; `subject` as for `embedItems`.
 */
export async function rerankItems(
  ctx: CallContext,
  model: ServedModel,
  query: string,
  documents: readonly Document[],
  rankFields: readonly string[] | undefined,
  policy: CachePolicy,
  deps: CacheDeps,
  subject?: string,
) {
  const identities = documents.map((doc) => documentIdentity(doc, rankFields));
  const docs: RerankDocument[] = documents.map((doc, i) =>
    typeof doc === "string" ? { text: doc } : { text: identities[i].slice(2), object: doc, rankFields },
  );
  const routes = await Promise.all(
    model.routes.map(
      async ({ route, provider }): Promise<ItemRoute> => ({
        provider: provider.name,
        prefix: await keyPrefix({ kind: "rr", namespace: provider.namespace, model: route.model, params: route.params, query, subject }),
        cacheable: provider.cacheable.rerank,
        async fetch(items, call) {
          const { scores, usage } = await provider.rerank!(
            { ...ctx, ...call },
            route.model,
            query,
            items.map((i) => docs[i]),
          );
          return {
            values: scores.map((score) => {
              if (!Number.isFinite(score)) throw badUpstreamResponse(provider.name, "a score that is not a finite number");
              return String(score);
            }),
            usage,
          };
        },
      }),
    ),
  );
  const resolved = await resolveItems(
    { items: identities, routes, isValid: isCanonicalScore, maxBatch: model.spec.max_batch },
    policy,
    deps,
  );
  return { ...resolved, identities, scores: resolved.values.map(Number) };
}
