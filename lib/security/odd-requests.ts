/**
 * Requests Next.js cannot route without failing: a method outside the usual set (TRACE makes its
 * Request constructor throw: a 500 with a stack trace in the log), a path whose percent-encoding
 * does not decode (its param decoding throws: a 500) or that decodes to control characters, a
 * request-target that is not a path (`OPTIONS *`: a 500), and any method but GET and HEAD on a
 * static file (a 500). They are answered here, before Next sees them, with a 400 or a 405: never a
 * 5xx (SECURITY.md). Used by the server hook (lib/server/request-guard.ts) and by proxy.ts.
 */

/** The methods handed on to Next; route handlers answer 405 for the ones they do not implement. */
const ROUTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const STATIC_ALLOW = "GET, HEAD";
/** Every method some API route here implements (plus HEAD and OPTIONS, answered by Next). */
const API_ALLOW = "GET, HEAD, POST, DELETE, OPTIONS";
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export type Refusal = { status: 400 | 405; error: string; message: string; allow?: string };

const badPath = (): Refusal => ({ status: 400, error: "invalid_path", message: "The request path is not valid." });

function isApiPath(target: string): boolean {
  return target === "/api" || target.startsWith("/api/") || target.startsWith("/api?");
}

/**
 * A refusal for this request, or null to let it through. `target` is the request-target as sent
 * (path and query, still percent-encoded); `isStaticFile` says whether a decoded path is a file
 * Next serves from disk (/_next/static, public/).
 */
export function refuseOddRequest(
  method: string,
  target: string,
  isStaticFile: (path: string) => boolean = () => false,
): Refusal | null {
  if (!target.startsWith("/")) return badPath(); // `*`, absolute- or authority-form
  const rawPath = target.split(/[?#]/, 1)[0];
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return badPath();
  }
  if (CONTROL_CHARACTER.test(path)) return badPath();
  const staticFile = isStaticFile(path);
  if (staticFile && method !== "GET" && method !== "HEAD") {
    return { status: 405, error: "method_not_allowed", message: "Use GET or HEAD for this file.", allow: STATIC_ALLOW };
  }
  if (!ROUTED_METHODS.has(method)) {
    const api = isApiPath(rawPath);
    return {
      status: 405,
      error: "method_not_allowed",
      message: `The ${api ? "API" : "site"} does not support this method.`,
      allow: api ? API_ALLOW : STATIC_ALLOW,
    };
  }
  return null;
}

/** The answer's body: JSON `{ error, message }` on API paths, plain text elsewhere. */
export function refusalBody(refusal: Refusal, target: string): { contentType: string; body: string } {
  if (isApiPath(target)) {
    return {
      contentType: "application/json",
      body: JSON.stringify({ error: refusal.error, message: refusal.message }),
    };
  }
  return { contentType: "text/plain; charset=utf-8", body: `${refusal.message}\n` };
}
