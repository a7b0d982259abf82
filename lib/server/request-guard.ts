import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import path from "node:path";
import { plainAnswerHeaders } from "@/lib/security/headers";
import { refusalBody, refuseOddRequest } from "@/lib/security/odd-requests";

/**
 * Answers odd requests at the HTTP server, before Next.js (and proxy.ts) sees them: Next fails
 * with a 500 on some (TRACE, `OPTIONS *`, undecodable paths, non-GET on static files) and Node
 * answers others with a bare 400 or a dropped connection (TRACK, FOO, CONNECT, a broken request
 * line). What is refused and why: lib/security/odd-requests.ts. Every answer here carries the
 * security headers. Installed by instrumentation (like lib/server/socket-ip.ts), so a request in
 * the first moment after `next start` listens still meets Next's own handling.
 */
const installed = Symbol.for("auth-starter.request-guard");
const connectHandled = Symbol.for("auth-starter.request-guard.connect");

/** Decoded paths of the files in public/ (served from disk, GET and HEAD only). */
function publicFiles(dir: string): Set<string> {
  const files = new Set<string>();
  const walk = (d: string, prefix: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(d, entry.name), `${prefix}/${entry.name}`);
      else files.add(`${prefix}/${entry.name}`);
    }
  };
  try {
    walk(dir, "");
  } catch {
    // no public/ folder: nothing to add
  }
  return files;
}

/** A whole HTTP/1.1 answer for a socket that has no ServerResponse (parse errors, CONNECT). */
function rawAnswer(status: number, reason: string, headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
  });
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
}

const PARSE_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large"],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout"],
};

export function installRequestGuard(options: { production: boolean; publicDir?: string }) {
  const headers = plainAnswerHeaders(options.production);
  const files = publicFiles(options.publicDir ?? path.join(process.cwd(), "public"));
  const isStaticFile = (p: string) => p.startsWith("/_next/static/") || p === "/_next/image" || files.has(p);

  const answerConnect = (_req: http.IncomingMessage, socket: Duplex) => {
    socket.end(
      rawAnswer(
        405,
        "Method Not Allowed",
        { ...headers, Allow: "GET, HEAD" },
        "The site does not support this method.\n",
      ),
    );
  };

  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as unknown as Record<symbol, boolean> & { emit: (...args: unknown[]) => boolean };
    if (proto[installed]) continue;
    const emit = proto.emit;
    proto.emit = function (this: http.Server & Record<symbol, boolean>, event: unknown, ...args: unknown[]) {
      if (event === "request") {
        const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
        const target = req.url ?? "";
        const refusal = refuseOddRequest(req.method ?? "", target, isStaticFile);
        if (refusal) {
          const { contentType, body } = refusalBody(refusal, target);
          const length = String(Buffer.byteLength(body));
          res.writeHead(refusal.status, {
            ...headers,
            "Content-Type": contentType,
            "Content-Length": length,
            ...(refusal.allow ? { Allow: refusal.allow } : {}),
          });
          res.end(body);
          return true;
        }
      } else if (event === "connection" && !this[connectHandled]) {
        // Without a listener Node drops a CONNECT request without an answer.
        this[connectHandled] = true;
        if (this.listenerCount("connect") === 0) this.on("connect", answerConnect);
      } else if (event === "clientError" && this.listenerCount("clientError") === 0) {
        // Node's default answer to an unparsable request (unknown method, bad request line) is a
        // bare 400 without headers; the same statuses, with them.
        const [error, socket] = args as [NodeJS.ErrnoException, Duplex & { _httpMessage?: { headersSent?: boolean } }];
        if (socket.writable && !socket._httpMessage?.headersSent) {
          const [status, reason] = PARSE_ERRORS[error.code ?? ""] ?? [400, "Bad Request"];
          socket.end(rawAnswer(status, reason, headers, `${reason}.\n`), () => socket.destroy());
        } else {
          socket.destroy(error);
        }
        return true;
      }
      return emit.call(this, event, ...args);
    };
    proto[installed] = true;
  }
}
