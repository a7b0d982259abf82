import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";

/**
 * The browser half of a WebAuthn ceremony (@simplewebauthn/browser), with its failures in words.
 * The options come from the server (its challenge bound to this browser by an httpOnly cookie);
 * what the authenticator answers goes straight back in a JSON body.
 */

/** `message` is empty when the page itself aborted the ceremony (nothing to tell the person). */
export type CeremonyOutcome<T> = { ok: true; response: T } | { ok: false; cancelled: boolean; message: string };

/** An IP address is never a valid relying party id: on http://127.0.0.1 passkeys cannot work, so none are offered. */
const IP_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && !IP_HOST.test(window.location.hostname) && browserSupportsWebAuthn();
}

export function passkeyAutofillSupported(): Promise<boolean> {
  return typeof window === "undefined" ? Promise.resolve(false) : browserSupportsWebAuthnAutofill();
}

/** A person closing the browser's prompt is not an error worth shouting about; the rest is said plainly. */
function ceremonyFailure(error: unknown, kind: "create" | "get"): { ok: false; cancelled: boolean; message: string } {
  const name = error instanceof Error ? error.name : "";
  const code = (error as { code?: string } | null)?.code;
  if (name === "AbortError" || code === "ERROR_CEREMONY_ABORTED") return { ok: false, cancelled: true, message: "" };
  if (name === "NotAllowedError")
    return { ok: false, cancelled: true, message: "The passkey request was cancelled or timed out. Try again." };
  if (kind === "create" && name === "InvalidStateError")
    return { ok: false, cancelled: false, message: "This device already has a passkey for your account." };
  if (name === "SecurityError")
    return {
      ok: false,
      cancelled: false,
      message: "Passkeys don't work on this address. Open the app at its usual address.",
    };
  return {
    ok: false,
    cancelled: false,
    message:
      kind === "create"
        ? "Your device could not make a passkey. Try again, or use another device."
        : "Your device could not use a passkey. Try again, or use your password.",
  };
}

export async function createPasskey(
  optionsJSON: PublicKeyCredentialCreationOptionsJSON,
): Promise<CeremonyOutcome<RegistrationResponseJSON>> {
  try {
    return { ok: true, response: await startRegistration({ optionsJSON }) };
  } catch (error) {
    return ceremonyFailure(error, "create");
  }
}

/** navigator.credentials.get(); `autofill` waits quietly for a passkey picked in the email field's suggestions. */
export async function signWithPasskey(
  optionsJSON: PublicKeyCredentialRequestOptionsJSON,
  autofill = false,
): Promise<CeremonyOutcome<AuthenticationResponseJSON>> {
  try {
    return { ok: true, response: await startAuthentication({ optionsJSON, useBrowserAutofill: autofill }) };
  } catch (error) {
    return ceremonyFailure(error, "get");
  }
}
