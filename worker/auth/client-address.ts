/**
 * The open-mode rate-limit key of a client, from `CF-Connecting-IP` (set by Cloudflare's edge, which
 * replaces any value a client sends; `wrangler dev` sets it too). An IPv4 address is its own key; an
 * IPv6 address is keyed by its /64, the block one subscriber is given, so rotating addresses within it
 * buys no extra requests. Without the header (a service binding, a test harness) every such request
 * shares the one `ip:unknown` bucket: headers like `X-Forwarded-For` are the client's to choose, and a
 * key a client chooses is no limit at all.
 *
 * @example
 * clientKey("2001:db8:1:2:aaaa::1") // "ip6:2001:db8:1:2::/64"
 */
export function clientKey(address: string | undefined): string {
  if (!address) return "ip:unknown";
  const ip = address.trim().toLowerCase();
  if (!ip.includes(":")) return `ip:${ip.slice(0, 64)}`;
  const groups = ipv6Groups(ip);
  if (!groups) return `ip:${ip.slice(0, 64)}`;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 client it stands for.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `ip:${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  return `ip6:${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 read), or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.replace(/%.*$/, "").replace(/^\[|\]$/g, "");
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    if ([a, b, c, d].some((n) => n > 255)) return undefined;
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => Number.parseInt(g, 16));
}
