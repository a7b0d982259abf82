import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { SOCKET_IP_HEADER, SOCKET_STAMP_KEY } from "@/lib/security/client-ip";

/**
 * Next copies the socket address into X-Forwarded-For only when the client did not send one
 * (`??=`), so a route handler cannot tell a forged header from the real peer. This stamps every
 * incoming request with the TCP peer's address under our own header, overwriting whatever a
 * client sent under that name. lib/security/client-ip.ts decides how far to trust X-Forwarded-For.
 *
 * The value is "<stamp> <address>", where the stamp is a per-process random secret: `next start`
 * listens before instrumentation runs, so a request arriving in that first moment is never
 * stamped, and its header (the client's own) must not pass for ours.
 */
const installed = Symbol.for("auth-starter.socket-ip");

export function installSocketIpHeader() {
  const g = globalThis as { [SOCKET_STAMP_KEY]?: string };
  g[SOCKET_STAMP_KEY] ??= randomBytes(18).toString("base64url");
  const stamp = g[SOCKET_STAMP_KEY];
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as unknown as Record<symbol, boolean> & { emit: (...args: unknown[]) => boolean };
    if (proto[installed]) continue;
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
      if (event === "request") {
        const req = args[0] as http.IncomingMessage;
        req.headers[SOCKET_IP_HEADER] = `${stamp} ${req.socket?.remoteAddress ?? ""}`;
      }
      return emit.call(this, event, ...args);
    };
    proto[installed] = true;
  }
}
