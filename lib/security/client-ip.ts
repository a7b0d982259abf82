import { isIP } from "node:net";

/**
 * The client's IP. `x-auth-socket-ip` is set by the server itself from the TCP socket (see
 * lib/server/socket-ip.ts), overwriting anything a client sent. X-Forwarded-For is consulted only
 * when TRUST_PROXY says how many reverse proxies sit in front of the app: then the address the
 * outermost trusted proxy saw is taken, counted from the right, so a client prepending forged
 * entries changes nothing.
 */
export const SOCKET_IP_HEADER = "x-auth-socket-ip";

/**
 * Once the server hook is installed, every stamped value starts with this per-process random
 * secret. A request whose header lacks it was not stamped (e.g. it arrived during start-up, before
 * the hook existed) and its value, which then came from the client, is ignored. Without the hook
 * (route handlers called directly in unit tests) there is no socket and the header is taken as is.
 */
export const SOCKET_STAMP_KEY = Symbol.for("auth-starter.socket-ip-stamp");

function socketStamp(): string | undefined {
  return (globalThis as { [SOCKET_STAMP_KEY]?: string })[SOCKET_STAMP_KEY];
}

/** The TCP peer's address as stamped by the server, or null when it cannot be trusted. */
export function socketIp(headers: Headers): string | null {
  const raw = headers.get(SOCKET_IP_HEADER);
  if (raw === null) return null;
  const stamp = socketStamp();
  if (stamp === undefined) return raw;
  return raw.startsWith(`${stamp} `) ? raw.slice(stamp.length + 1) : null;
}

export function clientIp(headers: Headers, trustProxy: number): string | null {
  const peer = socketIp(headers);
  if (trustProxy <= 0) return normalise(peer);
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // Chain as seen by us: [...forwarded, peer]. The last `trustProxy` hops are our proxies;
  // the entry just before them is the client as the outermost trusted proxy saw it.
  const chain = peer ? [...forwarded, peer] : forwarded;
  const index = chain.length - 1 - trustProxy;
  return normalise(chain[Math.max(0, index)] ?? null);
}

function normalise(value: string | null): string | null {
  if (!value) return null;
  let ip = value.trim().slice(0, 64);
  // Some proxies append the port: "203.0.113.7:51234", "[2001:db8::1]:443".
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(":"));
  if (ip.toLowerCase().startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  // Not an address at all ("unknown", junk): nothing to key a limit on.
  return isIP(ip.split("%")[0]) ? ip.toLowerCase() : null;
}

/**
 * The key a per-IP limit counts under: the address itself for IPv4, the /64 prefix for IPv6
 * (one subscriber is normally given a whole /64, so rotating addresses inside it gains nothing).
 */
export function rateLimitKeyForIp(ip: string | null): string {
  if (!ip) return "unknown";
  const address = ip.split("%")[0];
  if (isIP(address) !== 6) return address;
  const [head, tail] = address.split("::") as [string, string | undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  // An embedded IPv4 tail ("::ffff:1.2.3.4", "64:ff9b::1.2.3.4") takes two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const missing = tail === undefined ? 0 : 8 - width(headGroups) - width(tailGroups);
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => (g.includes(".") ? g : parseInt(g, 16).toString(16)))
    .join(":")}::/64`;
}
