import { isSessionState, type AuthenticatedSessionState } from "@/lib/client/types";

/** The browser's calls to the auth routes, and what their answers mean to the controller. */

/** A request that takes longer than this is abandoned (and any lock released). */
const REQUEST_TIMEOUT_MS = 15_000;

/** How one refresh attempt ended, from the page's point of view. */
export type RefreshAttempt =
  { ok: true; state: AuthenticatedSessionState } | { ok: false; reason: "reuse" | "ended" | "none" | "network" };

export function timeoutSignal(ms = REQUEST_TIMEOUT_MS): AbortSignal | undefined {
  return typeof AbortSignal !== "undefined" && "timeout" in AbortSignal ? AbortSignal.timeout(ms) : undefined;
}

/** The server's clock from a response's Date header (one-second precision, so + 500 ms). */
export function serverTimeOf(res: Response): number | null {
  const date = res.headers.get("date");
  const server = date ? Date.parse(date) : NaN;
  return Number.isNaN(server) ? null : server + 500;
}

/** POST /api/auth/refresh: rotates the refresh cookie and answers the new session state. */
export async function postRefresh(onResponse: (res: Response) => void): Promise<RefreshAttempt> {
  try {
    const res = await fetch("/api/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      // keepalive: if the user navigates away or closes the tab mid-request, the browser still
      // completes it and stores the rotated cookie. Aborting it instead would leave the old,
      // already-rotated token in the jar, and its next use would be flagged as reuse.
      keepalive: true,
      signal: timeoutSignal(),
    });
    onResponse(res);
    const body: unknown = await res.json().catch(() => null);
    if (res.ok && isSessionState(body)) return { ok: true, state: body };
    if (res.status === 401) {
      const code = (body as { error?: string } | null)?.error;
      return {
        ok: false,
        reason: code === "session_revoked_reuse" ? "reuse" : code === "no_session" ? "none" : "ended",
      };
    }
    // 429, 5xx, a proxy error page: not the user's fault and not a sign-out. Try again later.
    return { ok: false, reason: "network" };
  } catch {
    return { ok: false, reason: "network" };
  }
}

/** The session state behind the current cookies (GET /api/auth/session does the full check). */
export async function fetchSessionState(): Promise<AuthenticatedSessionState | null> {
  try {
    const res = await fetch("/api/auth/session", {
      credentials: "same-origin",
      cache: "no-store",
      signal: timeoutSignal(),
    });
    const body: unknown = await res.json().catch(() => null);
    return res.ok && isSessionState(body) ? body : null;
  } catch {
    return null;
  }
}

/** POST /api/auth/logout, completed even if the page goes away. */
export function postLogout(): Promise<Response | null> {
  return fetch("/api/auth/logout", {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    signal: timeoutSignal(),
  }).catch(() => null);
}
