import type { NextRequest } from "next/server";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { isStorageUnavailable } from "@/lib/auth/store";
import { isSameOriginRequest } from "@/lib/security/origin";
import { AmbiguousSessionError, JSON_CONTENT_TYPE, requestMeta, unsupportedMediaType } from "@/lib/server/request";
import { oauthError } from "@/lib/server/oauth";
import { HttpError, clearSessionCookies, errorJson } from "@/lib/server/responses";
import { getLogger } from "@/lib/shared/log";
import { getRuntime, type Runtime } from "@/lib/server/runtime";

/**
 * The thin HTTP layer shared by every route handler: the route wrapper here, requests in
 * lib/server/request.ts, answers and cookies in lib/server/responses.ts (re-exported, so a
 * route handler imports from one place).
 */
export * from "@/lib/server/request";
export * from "@/lib/server/responses";

type Handler<C> = (req: NextRequest, ctx: { rt: Runtime; meta: RequestMeta; params: C }) => Promise<Response>;

/**
 * Wraps a route handler: builds the runtime, refuses cross-site requests on state-changing
 * routes (recording the attempt), maps HttpError to its JSON, and hides any other error behind a
 * generic 500 (logged without request secrets).
 */
function unavailable(rt: Runtime | undefined, req: NextRequest, answer: ErrorAnswer) {
  const log = rt?.log ?? getLogger();
  log.warn({ path: req.nextUrl.pathname }, "database unavailable; answered 503");
  return answer(503, "service_unavailable", "The service is briefly unavailable. Try again in a moment.", {
    "Retry-After": "2",
  });
}

type ErrorAnswer = (
  status: number,
  error: string,
  message: string,
  headers?: Record<string, string>,
  fields?: Record<string, string>,
) => Response;

/**
 * The OAuth endpoints (token, revocation) answer every error in RFC 6749 §5.2's shape,
 * `{ error, error_description }`; a malformed request is `invalid_request` there.
 */
const oauthAnswer: ErrorAnswer = (status, error, message, headers) =>
  oauthError(status, status === 400 ? "invalid_request" : error, message, headers);

/** An audit row on an error path: if the database is down too, the answer must not become a 500. */
async function recordQuietly(rt: Runtime, type: EventType, meta: RequestMeta, detail: Record<string, unknown>) {
  try {
    await rt.auth.record(type, meta, {}, detail);
  } catch (error) {
    rt.log.warn({ event: type, code: (error as Error).name }, "audit event not recorded");
  }
}

export function route<C = unknown>(options: { stateChanging: boolean; oauth?: boolean }, handler: Handler<C>) {
  const answer: ErrorAnswer = options.oauth ? oauthAnswer : errorJson;
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
      if (isStorageUnavailable(error)) return unavailable(rt, req, answer);
      if (error instanceof AmbiguousSessionError && rt) {
        await recordQuietly(rt, "refresh_cookie_conflict", requestMeta(req, rt), { count: error.count });
        const message = "Your browser sent more than one session cookie, so none was used. Sign in again.";
        return clearSessionCookies(errorJson(401, "ambiguous_session", message));
      }
      if (error instanceof HttpError) {
        if (error.status === 429 && rt) {
          await recordQuietly(rt, "rate_limited", requestMeta(req, rt), { path: req.nextUrl.pathname });
        }
        return answer(error.status, error.code, error.message, error.headers, error.fields);
      }
      if (rt) rt.log.error({ err: error, path: req.nextUrl.pathname }, "unhandled error in route handler");
      else console.error("route handler failed before start-up completed:", (error as Error).message);
      return answer(500, "internal_error", "Something went wrong on our side. Try again.");
    }
  };
}
