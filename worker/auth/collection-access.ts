import type { Principal } from "../app-env";
import { ApiError } from "../errors";
import { checkScope } from "./authenticate";

export type CollectionScope = "collections:read" | "collections:write";

/**
 * Refuses a principal without `scope`, or whose token names collections and not this one. Server
 * keys and open mode may do everything; a token without a `collections` claim reaches every collection.
 */
export function checkCollectionAccess(principal: Principal, scope: CollectionScope, name: string | undefined): void {
  checkScope(principal, scope);
  if (name !== undefined && principal.collections && !principal.collections.has(name)) {
    throw new ApiError(403, "collection_not_allowed", `This token does not grant access to the collection '${name}'.`, {
      param: "name",
    });
  }
}
