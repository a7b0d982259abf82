import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { apiRequest, failureMessage, readAnswer } from "@/lib/client/api-call";
import { signWithPasskey } from "@/lib/client/passkey-ceremony";
import { isSessionState, type AuthenticatedSessionState } from "@/lib/client/types";

/** Step-up ("Confirm it's you"): what a sensitive action's 401 means, and the proofs that answer it. */

/** True for `401 { error: "reauthentication_required" }`: the session is too old for this action. */
export async function isReauthenticationRequired(res: Response): Promise<boolean> {
  if (res.status !== 401) return false;
  return (await readAnswer(res)).body.error === "reauthentication_required";
}

export type StepUpProof = { password: string } | { code: string } | { recoveryCode: string };

export type StepUpOutcome =
  | { ok: true; state: AuthenticatedSessionState }
  | { ok: false; message: string; cancelled?: boolean; sessionEnded?: boolean };

/** A 6-digit code from the app, else a recovery code: one field takes either. */
export function codeProof(typed: string): StepUpProof {
  const digits = typed.replace(/\s/g, "");
  return /^\d{6}$/.test(digits) ? { code: digits } : { recoveryCode: typed.trim() };
}

async function finish(res: Response): Promise<StepUpOutcome> {
  const answer = await readAnswer(res);
  if (res.ok && isSessionState(answer.body)) return { ok: true, state: answer.body };
  if (answer.body.error === "unauthenticated")
    return { ok: false, sessionEnded: true, message: "Your session has ended. Sign in again." };
  const field = answer.body.fields && Object.values(answer.body.fields)[0];
  return { ok: false, message: field ?? failureMessage(answer, "That did not confirm it's you. Try again.") };
}

/** POST /api/auth/reauthenticate with a password or a code: a fresh auth_time for this session. */
export async function reauthenticate(proof: StepUpProof): Promise<StepUpOutcome> {
  return finish(await apiRequest("POST", "/api/auth/reauthenticate", proof));
}

/** The same with one of the user's own passkeys (options first, their challenge bound by a cookie). */
export async function reauthenticateWithPasskey(): Promise<StepUpOutcome> {
  const options = await readAnswer<PublicKeyCredentialRequestOptionsJSON>(
    await apiRequest("POST", "/api/auth/reauthenticate/options"),
  );
  if (!options.res.ok) return { ok: false, message: failureMessage(options) };
  const ceremony = await signWithPasskey(options.body);
  if (!ceremony.ok) return { ok: false, cancelled: ceremony.cancelled, message: ceremony.message };
  return finish(await apiRequest("POST", "/api/auth/reauthenticate", { credential: ceremony.response }));
}

/** GET /api/auth/two-factor: whether two-step is on, and how many recovery codes are left. */
export async function fetchTwoFactorStatus(): Promise<{ enabled: boolean; recoveryCodesLeft: number } | null> {
  const answer = await readAnswer<{ enabled?: unknown; recoveryCodesLeft?: unknown }>(
    await apiRequest("GET", "/api/auth/two-factor"),
  );
  if (!answer.res.ok || typeof answer.body.enabled !== "boolean") return null;
  return { enabled: answer.body.enabled, recoveryCodesLeft: Number(answer.body.recoveryCodesLeft) || 0 };
}
