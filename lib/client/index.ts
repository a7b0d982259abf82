import { AuthController } from "@/lib/client/session-controller";
import type { ClientAuthState } from "@/lib/client/types";

export { AuthController, type AuthHooks } from "@/lib/client/session-controller";
export type { RefreshAttempt } from "@/lib/client/server-calls";

/** The page's one controller. */

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
  return controller ? controller.fetch(input, init) : fetch(input, { credentials: "same-origin", ...init });
}
