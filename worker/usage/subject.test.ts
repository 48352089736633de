import { describe, expect, it } from "vitest";
import { subjectOf } from "./subject";

describe("usage subjects", () => {
  it("Should name the kind once: key:<id>, token:<kid>/<sub>, ip:<address> (IPv6 by /64)", () => {
    expect(subjectOf({ kind: "server-key", id: "key:backend", keyId: "backend", scopes: "all" })).toBe("key:backend");
    expect(subjectOf({ kind: "token", id: "backend/user-42", keyId: "backend", scopes: "all" })).toBe("token:backend/user-42");
    expect(subjectOf({ kind: "anonymous", id: "ip:203.0.113.9", scopes: "all" })).toBe("ip:203.0.113.9");
    expect(subjectOf({ kind: "anonymous", id: "ip6:2001:db8:1:2::/64", scopes: "all" })).toBe("ip:2001:db8:1:2::/64");
  });
});
