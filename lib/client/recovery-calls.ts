import { authFetch } from "@/lib/client";
import { retryAfterSeconds } from "@/lib/client/durations";
import { timeoutSignal } from "@/lib/client/server-calls";
import type { AuthenticatedSessionState } from "@/lib/client/types";

/**
 * The browser's calls to the account-recovery and verification routes, and what each answer means
 * to the page. Tokens from emailed links go in the JSON body of a POST, nowhere else.
 */

type Failure =
  | { ok: false; reason: "rate_limited"; retryAfter: number | null }
  | { ok: false; reason: "network" }
  | { ok: false; reason: "other"; message: string; fields: Record<string, string> };

type Answer = { res: Response; body: { error?: string; message?: string; fields?: Record<string, string> } };

const GENERIC = "Something went wrong. Try again.";

async function post(url: string, body: unknown | undefined, viaAuthFetch = false): Promise<Answer | null> {
  const init: RequestInit = {
    method: "POST",
    credentials: "same-origin",
    headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: timeoutSignal(),
  };
  try {
    const res = await (viaAuthFetch ? authFetch(url, init) : fetch(url, init));
    return { res, body: await res.json().catch(() => ({})) };
  } catch {
    return null;
  }
}

function failure(answer: Answer | null): Failure {
  if (!answer) return { ok: false, reason: "network" };
  if (answer.res.status === 429)
    return { ok: false, reason: "rate_limited", retryAfter: retryAfterSeconds(answer.res) };
  return { ok: false, reason: "other", message: answer.body.message ?? GENERIC, fields: answer.body.fields ?? {} };
}

/** POST /api/auth/password/forgot: 202 for every well-formed address, known or not. */
export async function requestPasswordReset(email: string): Promise<{ ok: true } | Failure> {
  const answer = await post("/api/auth/password/forgot", { email });
  return answer?.res.status === 202 ? { ok: true } : failure(answer);
}

/** POST /api/auth/password/reset: a new password from a reset link; every session ends. */
export async function resetPassword(
  token: string,
  newPassword: string,
): Promise<
  | { ok: true }
  | { ok: false; reason: "invalid_token" }
  | { ok: false; reason: "weak_password"; message: string }
  | Failure
> {
  const answer = await post("/api/auth/password/reset", { token, newPassword });
  if (answer?.res.ok) return { ok: true };
  if (answer?.res.status === 400) {
    const fields = answer.body.fields ?? {};
    if (answer.body.error === "invalid_token" || fields.token) return { ok: false, reason: "invalid_token" };
    if (fields.newPassword) return { ok: false, reason: "weak_password", message: fields.newPassword };
  }
  return failure(answer);
}

/**
 * POST /api/auth/email/verify: confirms the address. In the browser signed in to the account the
 * session is proof enough; elsewhere the page asks for the password (`password_required`), and
 * with it the answer also signs this browser in (`state`).
 */
export async function verifyEmail(
  token: string,
  password?: string,
): Promise<
  | { ok: true; state: AuthenticatedSessionState | null }
  | { ok: false; reason: "invalid_token" | "password_required" | "wrong_password" }
  | Failure
> {
  const answer = await post("/api/auth/email/verify", password === undefined ? { token } : { token, password });
  if (answer?.res.ok) {
    const body = answer.body as Partial<AuthenticatedSessionState>;
    return { ok: true, state: body.status === "authenticated" ? (body as AuthenticatedSessionState) : null };
  }
  if (answer?.res.status === 400 && answer.body.error === "invalid_token")
    return { ok: false, reason: "invalid_token" };
  if (answer?.res.status === 401 && answer.body.error === "password_required")
    return { ok: false, reason: "password_required" };
  if (answer?.res.status === 401 && answer.body.error === "invalid_credentials")
    return { ok: false, reason: "wrong_password" };
  return failure(answer);
}

/** POST /api/auth/email/resend (signed in): a new verification link; older ones stop working. */
export async function resendVerification(): Promise<
  { ok: true } | { ok: false; reason: "already_verified" } | { ok: false; reason: "signed_out" } | Failure
> {
  const answer = await post("/api/auth/email/resend", undefined, true);
  if (answer?.res.status === 202) return { ok: true };
  if (answer?.res.status === 409) return { ok: false, reason: "already_verified" };
  if (answer?.res.status === 401) return { ok: false, reason: "signed_out" };
  return failure(answer);
}
