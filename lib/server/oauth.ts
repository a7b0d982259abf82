import type { NextRequest } from "next/server";
import { DPOP_ALGORITHMS } from "@/lib/auth/dpop";
import { json } from "@/lib/server/responses";
import type { Runtime } from "@/lib/server/runtime";

/**
 * The OAuth-shaped side of the HTTP layer for native apps: RFC 6749 §5.2 error bodies, and the
 * DPoP proof of a request (RFC 9449) checked against this request's method and URI.
 */
export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}) {
  return json({ error, error_description: description }, status, { Pragma: "no-cache", ...headers });
}

/** RFC 9449 §7.1: what a resource answers when a DPoP proof is missing or wrong. */
export const dpopChallenge = (error: "invalid_dpop_proof" | "invalid_token") =>
  `DPoP error="${error}", algs="${DPOP_ALGORITHMS.join(" ")}"`;

/** The URI a proof must name: APP_URL's origin and the route's path (never the Host header). */
export function requestUri(req: NextRequest, rt: Runtime): string {
  return `${rt.config.appUrl.origin}${req.nextUrl.pathname}`;
}

export type DpopCheck =
  { present: false } | { present: true; ok: true; jkt: string } | { present: true; ok: false; error: string };

/** The request's `DPoP` header, verified (and remembered against replay) when there is one. */
export async function dpopOf(req: NextRequest, rt: Runtime, accessToken?: string): Promise<DpopCheck> {
  const proof = req.headers.get("dpop");
  if (proof === null) return { present: false };
  const checked = await rt.auth.checkDpopProof(proof, { method: req.method, url: requestUri(req, rt), accessToken });
  return checked.ok
    ? { present: true, ok: true, jkt: checked.jkt }
    : { present: true, ok: false, error: checked.error };
}
