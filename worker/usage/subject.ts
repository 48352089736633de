import type { Principal } from "../auth/principal";

const KIND_PREFIX = { "server-key": "key:", token: "token:", anonymous: "ip:" } as const;

/**
 * Who a request is accounted to and budgeted as: `key:<id>` for a server key, `token:<id>` for a
 * token (its key and `sub`), `ip:<address>` in open mode. The principal's own id may already carry
 * a prefix of its own (`key:`, `ip:`, `ip6:`), which is replaced, so the subject names its kind once.
 */
export function subjectOf(principal: Principal): string {
  const id = principal.id.replace(/^(?:key|sub|ip6?|token):/, "");
  return KIND_PREFIX[principal.kind] + id;
}
