import type { AuthController } from "@/lib/client/session-controller";
import { isAuthenticated } from "@/lib/client/types";

const AUTH_ROUTES_WITHOUT_RETRY = /^\/api\/auth\/(refresh|login|register|logout)(\/|$)/;

/**
 * fetch for same-origin API calls: refreshes first when the access token is known to be
 * expired, and on a 401 refreshes once (shared with every other caller) and retries once.
 */
export async function fetchWithRefresh(
  auth: AuthController,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const request = new Request(input, { credentials: "same-origin", ...init });
  const path = new URL(request.url, window.location.href).pathname;
  const retryable = !AUTH_ROUTES_WITHOUT_RETRY.test(path);
  const state = auth.getSnapshot();
  if (retryable && isAuthenticated(state) && state.accessExpiresAt - auth.now() < 500) await auth.refresh();
  const first = await fetch(request.clone());
  if (first.status !== 401 || !retryable) return first;
  const outcome = await auth.refresh();
  if (!outcome.ok) return first;
  return fetch(request);
}
