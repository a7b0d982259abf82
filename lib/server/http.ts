import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { clientIp } from "@/lib/security/client-ip";
import { getConfig } from "@/lib/config";
import {
  clearedCookies,
  accessCookie,
  cookieIdentity,
  readCookie,
  soleCookieValue,
  refreshCookie,
  serializeCookie,
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  type CookieSpec,
} from "@/lib/server/cookies";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { StorageUnavailableError } from "@/lib/auth/store";
import type { IssuedAccess, IssuedRefresh } from "@/lib/auth";
import type { LimitResult } from "@/lib/security/rate-limits";
import { isSameOriginRequest } from "@/lib/security/origin";
import { dpopChallenge, dpopOf } from "@/lib/server/oauth";
import { getLogger, getRuntime, type Runtime } from "@/lib/server/runtime";

/**
 * The thin HTTP layer shared by every route handler: JSON errors, body parsing, cookies,
 * the cross-site check and the client's metadata. Route handlers compose these.
 */

/** Auth request bodies are tiny; anything bigger is refused before it is parsed. */
export const MAX_BODY_BYTES = 4 * 1024;

const NO_STORE = { "Cache-Control": "no-store" };

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return NextResponse.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

export function errorJson(status: number, error: string, message: string, headers: Record<string, string> = {}) {
  return json({ error, message }, status, headers);
}

/** For GET/HEAD (or any unlisted method) on a route that changes state. */
export function methodNotAllowed(allowed: string) {
  return () => errorJson(405, "method_not_allowed", `Use ${allowed} for this endpoint.`, { Allow: allowed });
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const unsupportedMediaType = () =>
  new HttpError(415, "unsupported_media_type", "Send the request body as application/json.");
const bodyTooLarge = () => new HttpError(413, "body_too_large", "The request body is too large.");

/**
 * Reads at most `limit` bytes of the body as strict UTF-8. Streams it: a body without
 * Content-Length (chunked) or with a false one is cut off at the limit, never buffered whole.
 */
async function readBodyText(req: NextRequest, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw bodyTooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid UTF-8 JSON.");
  }
}

/** JSON bodies only (Next's req.json() would parse text/plain too), a few KB at most, strict schema. */
export async function readJson<T>(req: NextRequest, schema: z.ZodType<T>): Promise<T> {
  if (!JSON_CONTENT_TYPE.test(req.headers.get("content-type") ?? "")) throw unsupportedMediaType();
  const text = await readBodyText(req, MAX_BODY_BYTES);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first?.path.join(".");
    throw new HttpError(
      400,
      "invalid_input",
      field ? `${field}: ${first.message}` : (first?.message ?? "Invalid input."),
    );
  }
  return parsed.data;
}

export function requestMeta(req: NextRequest, rt: Runtime): RequestMeta {
  return { ip: clientIp(req.headers, rt.config.trustProxy), userAgent: req.headers.get("user-agent") };
}

/** One Set-Cookie line per cookie identity (name, path, domain): a later one replaces an earlier one. */
function applyCookie(res: NextResponse, c: CookieSpec) {
  const line = serializeCookie(c);
  const kept = res.headers.getSetCookie().filter((other) => cookieIdentity(other) !== cookieIdentity(line));
  res.headers.delete("Set-Cookie");
  for (const l of [...kept, line]) res.headers.append("Set-Cookie", l);
}

/** Sets the access cookie and, when a new one was minted, the refresh cookie. */
export function setSessionCookies(res: NextResponse, access: IssuedAccess, refresh: IssuedRefresh | null, ttl: number) {
  applyCookie(res, accessCookie(access.token, ttl));
  if (refresh) applyCookie(res, refreshCookie(refresh.token, refresh.maxAge));
  return res;
}

/** Clears both cookies, the refresh cookie also where a planted copy would sit (lib/server/cookies.ts). */
export function clearSessionCookies(res: NextResponse) {
  for (const c of clearedCookies(getConfig().appUrl.hostname)) applyCookie(res, c);
  return res;
}

/** The access token from `Authorization: Bearer` or the access cookie. */
export function accessTokenFrom(req: NextRequest, allowBearer = false): string | undefined {
  if (allowBearer) {
    const header = req.headers.get("authorization");
    if (header) {
      const match = /^Bearer ([^\s]+)$/i.exec(header);
      return match ? match[1] : "";
    }
  }
  // Two different access cookies: neither is trusted, the request is signed out.
  return soleCookieValue(req.headers.get("cookie"), ACCESS_COOKIE);
}

/** Two or more different refresh cookies in one request: one of them may be planted (cookie tossing). */
export class AmbiguousSessionError extends Error {
  constructor(public readonly count: number) {
    super("ambiguous refresh cookies");
  }
}

/**
 * The refresh token, or undefined. Throws AmbiguousSessionError when the request carries
 * different refresh cookies: route() answers 401, clears them and records the event, and the
 * handler acts on neither session.
 */
export function refreshTokenFrom(req: NextRequest): string | undefined {
  const read = readCookie(req.headers.get("cookie"), REFRESH_COOKIE);
  if (read.conflict) throw new AmbiguousSessionError(read.count);
  return read.value;
}

/**
 * The data-access check for route handlers: the full check (signature, claims, token version,
 * deny-list, family, user) via auth.authenticate. Throws a 401 HttpError otherwise.
 */
export async function requireUser(req: NextRequest, rt: Runtime, options: { allowBearer?: boolean } = {}) {
  const { token, dpopJkt } = await credentialsFrom(req, rt, options.allowBearer ?? false);
  if (!token) throw new HttpError(401, "unauthenticated", "Sign in to continue.");
  const result = await rt.auth.authenticate(token, dpopJkt);
  if (!result.ok) {
    // A DPoP-bound token shown without its key's proof is told to use DPoP (RFC 9449 §7.1).
    const challenge: Record<string, string> =
      result.error === "dpop_mismatch"
        ? { "WWW-Authenticate": dpopChallenge(dpopJkt ? "invalid_dpop_proof" : "invalid_token") }
        : {};
    throw new HttpError(401, "unauthenticated", "Your session has ended. Sign in again.", challenge);
  }
  return result;
}

/**
 * The access token of an API call and, with `Authorization: DPoP <token>`, the thumbprint of the
 * accompanying proof (checked for this method, URI and token's `ath`, and against replay).
 * Without an Authorization header: the access cookie.
 */
async function credentialsFrom(req: NextRequest, rt: Runtime, allowAuthorization: boolean) {
  const header = allowAuthorization ? req.headers.get("authorization") : null;
  if (header === null) return { token: accessTokenFrom(req), dpopJkt: null };
  const match = /^(Bearer|DPoP) ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
  if (!match) return { token: "", dpopJkt: null };
  const token = match[2];
  if (match[1].toLowerCase() === "bearer") return { token, dpopJkt: null };
  const proof = await dpopOf(req, rt, token);
  if (!proof.present || !proof.ok) {
    throw new HttpError(401, "invalid_dpop_proof", "The DPoP proof is missing or not valid for this request.", {
      "WWW-Authenticate": dpopChallenge("invalid_dpop_proof"),
    });
  }
  return { token, dpopJkt: proof.jkt };
}

export function rateLimited(limit: Extract<LimitResult, { ok: false }>) {
  return new HttpError(429, "rate_limited", "Too many attempts. Wait a moment and try again.", {
    "Retry-After": String(limit.retryAfter),
  });
}

type Handler<C> = (req: NextRequest, ctx: { rt: Runtime; meta: RequestMeta; params: C }) => Promise<Response>;

/**
 * Wraps a route handler: builds the runtime, refuses cross-site requests on state-changing
 * routes (recording the attempt), maps HttpError to its JSON, and hides any other error behind a
 * generic 500 (logged without request secrets).
 */
function unavailable(rt: Runtime | undefined, req: NextRequest) {
  const log = rt?.log ?? getLogger();
  log.warn({ path: req.nextUrl.pathname }, "database unavailable; answered 503");
  return errorJson(503, "service_unavailable", "The service is briefly unavailable. Try again in a moment.", {
    "Retry-After": "2",
  });
}

/** An audit row on an error path: if the database is down too, the answer must not become a 500. */
async function recordQuietly(rt: Runtime, type: EventType, meta: RequestMeta, detail: Record<string, unknown>) {
  try {
    await rt.auth.record(type, meta, {}, detail);
  } catch (error) {
    rt.log.warn({ event: type, code: (error as Error).name }, "audit event not recorded");
  }
}

export function route<C = unknown>(options: { stateChanging: boolean }, handler: Handler<C>) {
  return async (req: NextRequest, context: { params: Promise<C> }): Promise<Response> => {
    let rt: Runtime | undefined;
    try {
      rt = await getRuntime();
      const meta = requestMeta(req, rt);
      if (options.stateChanging && !isSameOriginRequest(req.headers, rt.config.appOrigin)) {
        await rt.auth.record(
          "csrf_refused",
          meta,
          {},
          { path: req.nextUrl.pathname, origin: req.headers.get("origin")?.slice(0, 200) ?? null },
        );
        return errorJson(403, "cross_site_request", "Cross-site requests are not allowed.");
      }
      // The JSON API takes JSON or nothing: a form post or text/plain (the content types a page
      // can send cross-site without a preflight) is refused even on routes that read no body.
      const type = req.headers.get("content-type");
      if (options.stateChanging && type !== null && !JSON_CONTENT_TYPE.test(type)) throw unsupportedMediaType();
      return await handler(req, { rt, meta, params: (await context?.params) as C });
    } catch (error) {
      // The database is down or restarting: a clean 503 the client may retry, no stack, no 500.
      if (error instanceof StorageUnavailableError) return unavailable(rt, req);
      if (error instanceof AmbiguousSessionError && rt) {
        await recordQuietly(rt, "refresh_cookie_conflict", requestMeta(req, rt), { count: error.count });
        const message = "Your browser sent more than one session cookie, so none was used. Sign in again.";
        return clearSessionCookies(errorJson(401, "ambiguous_session", message));
      }
      if (error instanceof HttpError) {
        if (error.status === 429 && rt) {
          await recordQuietly(rt, "rate_limited", requestMeta(req, rt), { path: req.nextUrl.pathname });
        }
        return errorJson(error.status, error.code, error.message, error.headers);
      }
      if (rt) rt.log.error({ err: error, path: req.nextUrl.pathname }, "unhandled error in route handler");
      else console.error("route handler failed before start-up completed:", (error as Error).message);
      return errorJson(500, "internal_error", "Something went wrong on our side. Try again.");
    }
  };
}
