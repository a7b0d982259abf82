/**
 * The client's IP. `x-auth-socket-ip` is set by the server itself from the TCP socket (see
 * lib/server/socket-ip.ts), overwriting anything a client sent. X-Forwarded-For is consulted only
 * when TRUST_PROXY says how many reverse proxies sit in front of the app: then the address the
 * outermost trusted proxy saw is taken, counted from the right, so a client prepending forged
 * entries changes nothing.
 */
export const SOCKET_IP_HEADER = "x-auth-socket-ip";

export function clientIp(headers: Headers, trustProxy: number): string | null {
  const socketIp = headers.get(SOCKET_IP_HEADER);
  if (trustProxy <= 0) return normalise(socketIp);
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // Chain as seen by us: [...forwarded, socketIp]. The last `trustProxy` hops are our proxies;
  // the entry just before them is the client as the outermost trusted proxy saw it.
  const chain = socketIp ? [...forwarded, socketIp] : forwarded;
  const index = chain.length - 1 - trustProxy;
  return normalise(chain[Math.max(0, index)] ?? null);
}

function normalise(ip: string | null): string | null {
  if (!ip) return null;
  const trimmed = ip.trim().slice(0, 64);
  return trimmed.startsWith("::ffff:") ? trimmed.slice(7) : trimmed;
}
