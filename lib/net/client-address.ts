import { BlockList, isIP } from "node:net";

// Next 16 exposes no socket address to the app and passes a client's own X-Forwarded-For through, so the server that
// runs the app (scripts/web-server.ts) decides the client's address from the socket before Next sees the request:
// the socket peer, unless the peer is a trusted proxy — then the nearest address in X-Forwarded-For that is not one.
// Pure: unit-tested.

export type TrustedProxies = { check(address: string): boolean };

/** "10.0.0.0/8, 127.0.0.1, ::1" → a matcher; an unparsable entry is an error (fail closed, at start-up). */
export function parseTrustedProxies(list: string | undefined): TrustedProxies {
  const blocks = new BlockList();
  for (const raw of (list ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [address, prefix] = raw.split("/");
    const family = isIP(address ?? "");
    if (!address || family === 0) throw new Error(`TRUSTED_PROXIES: "${raw}" is not an IP address or CIDR range`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) blocks.addAddress(address, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) throw new Error(`TRUSTED_PROXIES: "${raw}" has a bad prefix length`);
      blocks.addSubnet(address, bits, type);
    }
  }
  return { check: (address) => { const a = normalize(address); const f = isIP(a); return f !== 0 && blocks.check(a, f === 6 ? "ipv6" : "ipv4"); } };
}

/** "::ffff:127.0.0.1" → "127.0.0.1"; brackets and ports from a forwarded entry removed. */
export function normalize(address: string): string {
  let a = address.trim();
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") > 0 ? a.indexOf("]") : undefined);
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  return a.toLowerCase().startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/**
 * The client's address: the socket peer when it is not a trusted proxy (whatever X-Forwarded-For says); otherwise the
 * right-most X-Forwarded-For entry that is not a trusted proxy (entries further left were written by the client and
 * cannot be believed), or the peer itself when the header has nothing usable.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string | null {
  const socket = peer ? normalize(peer) : null;
  if (!socket || !trusted.check(socket)) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((h) => normalize(h))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted.check(hops[i]!)) return hops[i]!;
  return hops[0] ?? socket;
}
