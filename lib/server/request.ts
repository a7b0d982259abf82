import type { NextRequest } from "next/server";
import type { z } from "zod";
import type { RequestMeta } from "@/lib/auth/events";
import { clientIp } from "@/lib/security/client-ip";
import {
  ACCESS_COOKIE,
  PENDING_COOKIE,
  REFRESH_COOKIE,
  WEBAUTHN_COOKIE,
  readCookie,
  soleCookieValue,
} from "@/lib/server/cookies";
import { dpopChallenge, dpopOf } from "@/lib/server/oauth";
import { HttpError } from "@/lib/server/responses";
import type { Runtime } from "@/lib/server/runtime";

/** What route handlers read from a request: the JSON body, the client, the tokens, the user. */

/** Auth request bodies are tiny; anything bigger is refused before it is parsed. */
export const MAX_BODY_BYTES = 4 * 1024;

export const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
export const unsupportedMediaType = () =>
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

/**
 * A body that does not fit its schema: 400 `{ error: "invalid_request", message, fields }`, with
 * the first problem of each field in `fields` (dotted paths; unknown keys under their own name).
 */
function invalidRequest(issues: z.core.$ZodIssue[]): HttpError {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const names = issue.code === "unrecognized_keys" ? issue.keys : [issue.path.join(".")];
    for (const name of names) if (name && !(name in fields)) fields[name] = issue.message;
  }
  const message = issues[0]?.message ?? "Invalid request.";
  return new HttpError(400, "invalid_request", message, {}, Object.keys(fields).length > 0 ? fields : undefined);
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
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  return parsed.data;
}

export function requestMeta(req: NextRequest, rt: Runtime): RequestMeta {
  return { ip: clientIp(req.headers, rt.config.trustProxy), userAgent: req.headers.get("user-agent") };
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

/** The token of this browser's WebAuthn challenge (its cookie); none when missing or ambiguous. */
export const challengeTokenFrom = (req: NextRequest) => soleCookieValue(req.headers.get("cookie"), WEBAUTHN_COOKIE);

/** The token of this browser's pending sign-in (its cookie); none when missing or ambiguous. */
export const pendingTokenFrom = (req: NextRequest) => soleCookieValue(req.headers.get("cookie"), PENDING_COOKIE);

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

/** The user this browser is signed in as (the access cookie, fully checked), or null. Never throws a 401. */
export async function signedInUser(req: NextRequest, rt: Runtime) {
  const token = accessTokenFrom(req);
  if (!token) return null;
  const result = await rt.auth.authenticate(token);
  return result.ok ? result.user : null;
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
  // The cheap check first: a token that is not ours (shape, signature, claims; cached once
  // verified) is refused before its proof's signature is checked.
  if (!(await rt.auth.verifyAccess(token)).ok) {
    throw new HttpError(401, "unauthenticated", "Your session has ended. Sign in again.", {
      "WWW-Authenticate": dpopChallenge("invalid_token"),
    });
  }
  const proof = await dpopOf(req, rt, token);
  if (!proof.present || !proof.ok) {
    throw new HttpError(401, "invalid_dpop_proof", "The DPoP proof is missing or not valid for this request.", {
      "WWW-Authenticate": dpopChallenge("invalid_dpop_proof"),
    });
  }
  return { token, dpopJkt: proof.jkt };
}
