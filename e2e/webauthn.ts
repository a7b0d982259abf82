import type { CDPSession, Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { test as base } from "./fixtures";

/**
 * Passkeys and two-step for the Playwright suite: a Chromium virtual authenticator over the
 * DevTools protocol (a platform authenticator with resident keys and user verification, answering
 * by itself), and `totp(setupKey)`, the code an authenticator app would show.
 *
 *   test("…", async ({ authenticator, signedInPage }) => { … })         // the page has an authenticator
 *   const other = await addAuthenticator(page2, { credentials: await authenticator.credentials() })
 */

export type AuthenticatorOptions = {
  /** false: an authenticator that cannot verify its user (no PIN, no biometrics). */
  userVerification?: boolean;
  /** Passkeys it already holds (another browser with the same synced passkeys). */
  credentials?: VirtualCredential[];
};

/** What WebAuthn.getCredentials answers (private key included: it is a virtual authenticator). */
type VirtualCredential = {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
};

export type VirtualAuthenticator = {
  cdp: CDPSession;
  authenticatorId: string;
  credentials(): Promise<VirtualCredential[]>;
};

export async function addAuthenticator(page: Page, options: AuthenticatorOptions = {}): Promise<VirtualAuthenticator> {
  const uv = options.userVerification ?? true;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: uv,
      isUserVerified: uv,
      automaticPresenceSimulation: true,
    },
  });
  for (const credential of options.credentials ?? [])
    await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
  return {
    cdp,
    authenticatorId,
    credentials: async () =>
      (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials as VirtualCredential[],
  };
}

/** The 6-digit code for a setup key at a time (now by default), as an authenticator app shows it. */
export function totp(setupKey: string, timestamp = Date.now()): string {
  return new TOTP({
    secret: Secret.fromBase32(setupKey.replace(/\s/g, "")),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  }).generate({ timestamp });
}

/** `test` from ./fixtures, plus `authenticator`: a virtual authenticator on `page`. */
export const test = base.extend<{ authenticator: VirtualAuthenticator }>({
  authenticator: async ({ page }, use) => {
    await use(await addAuthenticator(page));
  },
});

export { expect } from "./fixtures";
