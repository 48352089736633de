import type { ServedModel, ServedRoute } from "../catalogue/resolve";
import { base64LengthFor, encodeVector, vectorValidator } from "../codec/vector-base64";
import type { CallContext } from "../providers/types";
import { type CacheDeps, type CachePolicy, type ItemRoute, type ResolvedItems, resolveItems } from "./item-cache";
import { keyPrefix } from "./keys";

/**
 * A served route's store-key prefixes once worked out, per subject ("" for the shared cache), kept
 * on the route: served routes belong to the gateway (one per configuration), so after an isolate's
 * first request for a route a hit neither hashes nor awaits. Subjects are kept up to MAX_SUBJECTS per
 * route: server keys are few, and past that a prefix is hashed per request rather than memory
 * growing with the callers.
 */
const MAX_SUBJECTS = 256;

/**
 * Most vector values one upstream call may return: its answer is read, parsed, decoded and re-encoded
 * at once, several copies of ~5 bytes a value, so a 2048-input batch of a 3072-dimension model (6.3M
 * values, a 33 MB body) cost ~220 MB of isolate memory (bench). 2^19 values is 170 inputs of 3072
 * dimensions or 512 of 1024 per call: more calls, each a few MB.
 */
const UPSTREAM_VALUES_PER_CALL = 1 << 19;

/** An embeddings answer of `items` base64 vectors: each vector's text and its JSON around it, plus the envelope. */
const expectedAnswerBytes = (items: number, dimensions: number) => items * (base64LengthFor(dimensions) + 64) + 1024;

function prefixOf(served: ServedRoute, subject: string | undefined): string | Promise<string> {
  const known = served.embedPrefixes?.get(subject ?? "");
  if (known !== undefined) return known;
  const { route, provider } = served;
  return keyPrefix({ kind: "emb", namespace: provider.namespace, model: route.model, params: route.params, subject }).then((prefix) => {
    served.embedPrefixes ??= new Map();
    if (served.embedPrefixes.size < MAX_SUBJECTS) served.embedPrefixes.set(subject ?? "", prefix);
    return prefix;
  });
}

/**
 * Embeds `texts` with `model` through the cache: one function for the route to call. Values come back
 * as base64 float32 of the model's native size, in request order. `subject` (CACHE_SCOPE=subject)
 * gives the caller's entries their own key prefix, in the memory tier and the store alike.
 */
export async function embedItems(
  ctx: CallContext,
  model: ServedModel,
  texts: readonly string[],
  policy: CachePolicy,
  deps: CacheDeps,
  subject?: string,
): Promise<ResolvedItems> {
  const dimensions = model.spec.dimensions!;
  const found = model.routes.map((served) => prefixOf(served, subject));
  const known = found.every((p) => typeof p === "string") ? (found as string[]) : await Promise.all(found);
  const routes = model.routes.map(
    ({ route, provider }, r): ItemRoute => ({
      provider: provider.name,
      prefix: known[r],
      cacheable: provider.cacheable.embed,
      async fetch(items, call) {
        const { vectors, usage } = await provider.embed!(
          { ...ctx, ...call, expectedBytes: expectedAnswerBytes(items.length, dimensions) },
          route.model,
          items.map((i) => texts[i]),
          route.params,
        );
        return { values: vectors.map((v) => encodeVector(v, dimensions, provider.name, route.model)), usage };
      },
    }),
  );
  return resolveItems(
    {
      items: texts,
      routes,
      isValid: vectorValidator(dimensions),
      maxBatch: Math.max(1, Math.min(model.spec.max_batch, Math.floor(UPSTREAM_VALUES_PER_CALL / dimensions))),
    },
    policy,
    deps,
  );
}
