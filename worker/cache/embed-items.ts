import type { ServedModel } from "../catalogue/resolve";
import { encodeVector, vectorValidator } from "../codec/vector-base64";
import type { CallContext } from "../providers/types";
import { type CacheDeps, type CachePolicy, type ItemRoute, type ResolvedItems, resolveItems } from "./item-cache";
import { keyPrefix } from "./keys";

type ServedRoute = ServedModel["routes"][number];

/**
 * Each served route's store-key prefix once worked out. Served routes are fixed per config (see
 * `servedRoutes`), so after an isolate's first request for a route a hit neither hashes nor awaits.
 */
const prefixes = new WeakMap<ServedRoute, string>();

function prefixOf(served: ServedRoute): string | Promise<string> {
  const known = prefixes.get(served);
  if (known !== undefined) return known;
  const { route, provider } = served;
  return keyPrefix({ kind: "emb", namespace: provider.namespace, model: route.model, params: route.params }).then((prefix) => {
    prefixes.set(served, prefix);
    return prefix;
  });
}

/**
 * Embeds `texts` with `model` through the cache: one function for the route to call. Values come back
 * as base64 float32 of the model's native size, in request order.
 */
export async function embedItems(
  ctx: CallContext,
  model: ServedModel,
  texts: readonly string[],
  policy: CachePolicy,
  deps: CacheDeps,
): Promise<ResolvedItems> {
  const dimensions = model.spec.dimensions!;
  const found = model.routes.map(prefixOf);
  const known = found.every((p) => typeof p === "string") ? (found as string[]) : await Promise.all(found);
  const routes = model.routes.map(
    ({ route, provider }, r): ItemRoute => ({
      provider: provider.name,
      prefix: known[r],
      cacheable: provider.cacheable.embed,
      async fetch(items, call) {
        const { vectors, usage } = await provider.embed!(
          { ...ctx, ...call },
          route.model,
          items.map((i) => texts[i]),
          route.params,
        );
        return { values: vectors.map((v) => encodeVector(v, dimensions, provider.name, route.model)), usage };
      },
    }),
  );
  return resolveItems({ items: texts, routes, isValid: vectorValidator(dimensions), maxBatch: model.spec.max_batch }, policy, deps);
}
