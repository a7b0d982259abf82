import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { failureMessage, NETWORK_MESSAGE, readAnswer } from "@/lib/client/api-call";
import { signWithPasskey } from "@/lib/client/passkey-ceremony";
import { timeoutSignal } from "@/lib/client/server-calls";
import { isSessionState, type AuthenticatedSessionState } from "@/lib/client/types";

/**
 * Signing in without a password typed: a passkey, and the second step of a two-step sign-in.
 * Signed out, so plain fetch (no refresh to try); the cookies these set are httpOnly.
 */

export type SignInOutcome =
  { ok: true; state: AuthenticatedSessionState } | { ok: false; message: string; cancelled?: boolean; code?: string };

async function postJson(url: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: timeoutSignal(),
    });
  } catch {
    return Response.error();
  }
}

async function signedIn(res: Response, fallback: string): Promise<SignInOutcome> {
  const answer = await readAnswer(res);
  if (res.ok && isSessionState(answer.body)) return { ok: true, state: answer.body };
  const field = answer.body.fields && Object.values(answer.body.fields)[0];
  return { ok: false, code: answer.body.error, message: field ?? failureMessage(answer, fallback) };
}

/**
 * Sign in with a passkey. `autofill`: conditional UI, a passkey picked from the email field's
 * suggestions; it waits quietly (and is aborted by any other ceremony this page starts).
 */
export async function signInWithPasskey(autofill = false): Promise<SignInOutcome> {
  const options = await postJson("/api/auth/passkeys/login/options");
  if (!options.ok) {
    const answer = await readAnswer(options);
    return { ok: false, message: answer.status === 0 ? NETWORK_MESSAGE : failureMessage(answer) };
  }
  const optionsJSON = (await options.json()) as PublicKeyCredentialRequestOptionsJSON;
  const ceremony = await signWithPasskey(optionsJSON, autofill);
  if (!ceremony.ok) return { ok: false, cancelled: ceremony.cancelled, message: ceremony.message };
  return signedIn(
    await postJson("/api/auth/passkeys/login", { credential: ceremony.response }),
    "That passkey did not work. Try again, or use your password.",
  );
}

/** POST /api/auth/two-factor/verify for the pending sign-in in this browser's cookie. */
export async function verifySecondStep(proof: { code: string } | { recoveryCode: string }): Promise<SignInOutcome> {
  return signedIn(await postJson("/api/auth/two-factor/verify", proof), "That code did not work. Try again.");
}
