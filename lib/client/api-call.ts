import { authFetch } from "@/lib/client";
import { retryAfterSeconds, tooManyRequests } from "@/lib/client/durations";
import { timeoutSignal } from "@/lib/client/server-calls";

/** An API answer as the pages read it: the status, the JSON body (or {}), and the raw Response. */
export type ApiAnswer<B = Record<string, unknown>> = {
  res: Response;
  status: number;
  body: B & { error?: string; message?: string; fields?: Record<string, string> };
};

/**
 * A JSON request to the app's own API through authFetch (an expired access token is refreshed
 * first; a 401 is retried once after a refresh). Never throws: a network failure is a status-0 Response.
 */
export async function apiRequest(method: string, url: string, body?: unknown): Promise<Response> {
  try {
    return await authFetch(url, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: timeoutSignal(),
    });
  } catch {
    // status 0, no body: failureMessage says the server could not be reached.
    return Response.error();
  }
}

export const NETWORK_MESSAGE = "Could not reach the server. Check your connection and try again.";

/** Reads an answer's JSON body (a clone's, so the Response stays readable for whoever gets it next). */
export async function readAnswer<B = Record<string, unknown>>(res: Response): Promise<ApiAnswer<B>> {
  const body = (await res
    .clone()
    .json()
    .catch(() => ({}))) as ApiAnswer<B>["body"];
  return { res, status: res.status, body: body ?? ({} as ApiAnswer<B>["body"]) };
}

/** The sentence to show for a failed answer: the server's own message, or a plain one for 429 and outages. */
export function failureMessage(answer: ApiAnswer<unknown>, fallback = "Something went wrong. Try again."): string {
  if (answer.status === 429) return tooManyRequests(retryAfterSeconds(answer.res));
  if (answer.status === 0) return NETWORK_MESSAGE;
  if (answer.status >= 500) return fallback;
  return typeof answer.body.message === "string" ? answer.body.message : fallback;
}
