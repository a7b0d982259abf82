/**
 * The browser side of the token machinery, without React (components/auth-provider.tsx wraps it).
 *
 * - The access state (user, role, expiry, status) lives in memory here. Tokens never do: they
 *   stay in their httpOnly cookies and no code in the page can read them.
 * - A refresh is scheduled shortly before the access token expires (with jitter), and happens on
 *   demand when a request answers 401. Within a tab it is single-flight; across tabs only one tab
 *   refreshes at a time (Web Locks, a lease fallback, and a timeout so a stuck lock never blocks).
 * - Tabs tell each other about new state and sign-outs over a BroadcastChannel.
 * - Waking up (visibilitychange, focus, online, pageshow, resume) checks the expiry and refreshes
 *   when due, so a tab that slept past expiry recovers without an error.
 */

import { AuthController } from "@/lib/client/session-controller";
import { fetchWithRefresh } from "@/lib/client/auth-fetch";
import type { ClientAuthState } from "@/lib/client/types";

export { AuthController } from "@/lib/client/session-controller";
export type { RefreshAttempt } from "@/lib/client/server-calls";

let controller: AuthController | null = null;

/** The page's controller, created on first use with the server's seed. Never on the server. */
export function getAuthController(initial: ClientAuthState, serverNow?: number): AuthController | null {
  if (typeof window === "undefined") return null;
  controller ??= new AuthController(initial, serverNow);
  return controller;
}

/**
 * fetch for client code that calls the app's own API: refreshes the access token silently when
 * needed and retries a request that failed with 401 once. Outside the provider it is plain fetch.
 */
export function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return controller ? fetchWithRefresh(controller, input, init) : fetch(input, { credentials: "same-origin", ...init });
}
