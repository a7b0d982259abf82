import type { AuthController } from "@/lib/client/session-controller";
import { isAuthenticated } from "@/lib/client/types";

const AUTH_ROUTES_WITHOUT_RETRY = /^\/api\/auth\/(refresh|login|register|logout)(\/|$)/;

/**
 * 401s about the request, not the access token: a refresh would not change them, and retrying a
 * wrong password or code would count it twice against the account's back-off. Step-up's answer is
 * for the page to handle ("Confirm it's you", components/step-up.tsx).
 */
const NOT_ABOUT_THE_TOKEN = new Set([
  "reauthentication_required",
  "invalid_credentials",
  "invalid_code",
  "invalid_passkey",
]);

async function errorCodeOf(res: Response): Promise<string | undefined> {
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === "string" ? body.error : undefined;
}

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
  const code = await errorCodeOf(first);
  if (code && NOT_ABOUT_THE_TOKEN.has(code)) return first;
  const outcome = await auth.refresh();
  if (!outcome.ok) return first;
  return fetch(request);
}
