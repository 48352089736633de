import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientKey } from "./client-address";

describe("clientKey", () => {
  it("Should key IPv6 clients by their /64, however the address is written", () => {
    const same = ["2001:db8:1:2::1", "2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:DB8:1:2:aaaa:bbbb:cccc:dddd", "[2001:db8:1:2::9]"];
    for (const address of same) expect(clientKey(address), address).toBe("ip6:2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:3::1")).toBe("ip6:2001:db8:1:3::/64");
    expect(clientKey("::1")).toBe("ip6:0:0:0:0::/64");
  });

  it("Should key IPv4 clients by address, IPv4-mapped IPv6 included, and clients without an address together", () => {
    expect(clientKey("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("ip:203.0.113.7");
    expect(clientKey(undefined)).toBe("ip:unknown");
    expect(clientKey("")).toBe("ip:unknown");
  });

  it("Should give every address of one /64 the same key and addresses of different /64s different keys", () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const groups = fc.array(group, { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, groups, (a, b) => {
        const text = (g: number[]) => g.map((n) => n.toString(16)).join(":");
        const sameNetwork = [...a.slice(0, 4), ...b.slice(4)];
        // IPv4-mapped addresses are keyed as IPv4 on purpose.
        const mapped = (g: number[]) => g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff;
        fc.pre(!mapped(a) && !mapped(sameNetwork) && !mapped(b));
        expect(clientKey(text(sameNetwork))).toBe(clientKey(text(a)));
        if (a.slice(0, 4).join() !== b.slice(0, 4).join()) expect(clientKey(text(a))).not.toBe(clientKey(text(b)));
      }),
    );
  });
});
