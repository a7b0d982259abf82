import http from "node:http";
import https from "node:https";
import { SOCKET_IP_HEADER } from "../client-ip";

/**
 * Next copies the socket address into X-Forwarded-For only when the client did not send one
 * (`??=`), so a route handler cannot tell a forged header from the real peer. This stamps every
 * incoming request with the TCP peer's address under our own header, overwriting whatever a
 * client sent under that name. lib/client-ip.ts decides how far to trust X-Forwarded-For.
 */
const installed = Symbol.for("auth-starter.socket-ip");

export function installSocketIpHeader() {
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as unknown as Record<symbol, boolean> & { emit: (...args: unknown[]) => boolean };
    if (proto[installed]) continue;
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
      if (event === "request") {
        const req = args[0] as http.IncomingMessage;
        req.headers[SOCKET_IP_HEADER] = req.socket?.remoteAddress ?? "";
      }
      return emit.call(this, event, ...args);
    };
    proto[installed] = true;
  }
}
