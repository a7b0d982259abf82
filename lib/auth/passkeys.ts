import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { AccessClaims } from "@/lib/auth/access-token";
import type { AuthContext, Client } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashOpaqueToken, isWellFormedOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import type { Pipeline, SignInOutcome } from "@/lib/auth/pipeline";
import { fail, type Result } from "@/lib/auth/results";
import type { PasskeyRow, WebauthnPurpose } from "@/lib/auth/store";

/** How long a challenge lives, and the browser's own timeout for the ceremony. */
const CHALLENGE_MS = 5 * 60 * 1000;
/** ES256 (every platform authenticator) and RS256 (some security keys); nothing else. */
const ALGORITHMS = [-7, -257];
const MAX_PASSKEYS = 20;

/** A passkey as its owner sees it: never its public key or counter. */
export type PublicPasskey = {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  backedUp: boolean;
  /** "multiDevice": synced by the platform (iCloud Keychain, Google Password Manager, …). */
  deviceType: string;
};

const toPublicPasskey = (p: PasskeyRow): PublicPasskey => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt,
  lastUsedAt: p.lastUsedAt,
  backedUp: p.backedUp,
  deviceType: p.deviceType,
});

/** Options for the browser, and the token of the challenge (the browser keeps it in a cookie). */
export type Ceremony<O> = { options: O; challengeToken: string; expiresAt: number };

/**
 * Passkeys with @simplewebauthn/server. The relying party is APP_URL's (WEBAUTHN_RP_ID, the
 * origin from APP_URL), never the Host header. Challenges are random, stored server side, bound to
 * the browser by a cookie, single use (deleted as they are taken, before verification), five
 * minutes. User verification is required; a counter that moves backwards is refused, one that
 * stays 0 is fine (synced passkeys); the user handle is random per user, never the email, and an
 * assertion's handle must be its credential's owner's. Every sign-in failure is one answer.
 * A passkey with user verification counts as two factors (lib/auth/amr.ts).
 */
export function createPasskeys(ctx: AuthContext, pipeline: Pipeline) {
  const { store, clock, random, config } = ctx;
  const { rpId, rpName } = config.webauthn;
  const origin = config.appOrigin;

  async function newChallenge(purpose: WebauthnPurpose, userId: string | null) {
    const challengeToken = newOpaqueToken(random);
    const challenge = random.bytes(32).toString("base64url");
    const expiresAt = clock.now() + CHALLENGE_MS;
    await store.insertChallenge({ id: hashOpaqueToken(challengeToken), challenge, purpose, userId, expiresAt });
    return { challenge, challengeToken, expiresAt };
  }

  /** The challenge behind the browser's cookie, taken (it cannot be used again) if it is for this. */
  async function takeChallenge(challengeToken: string | undefined, purpose: WebauthnPurpose, userId: string | null) {
    if (!challengeToken || !isWellFormedOpaqueToken(challengeToken)) return undefined;
    const row = await store.takeChallenge({ id: hashOpaqueToken(challengeToken), now: clock.now() });
    if (!row || row.purpose !== purpose || row.userId !== userId) return undefined;
    return row.challenge;
  }

  const transportsOf = (p: PasskeyRow) => JSON.parse(p.transports) as AuthenticatorTransport[];

  /** Registration options for a signed-in user who authenticated recently. */
  async function registrationOptions(
    claims: AccessClaims,
  ): Promise<
    Result<Ceremony<PublicKeyCredentialCreationOptionsJSON>, "reauthentication_required" | "user_gone" | "too_many">
  > {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const user = await store.userById(claims.sub);
    if (!user) return fail("user_gone");
    const existing = await store.passkeysOf(user.id);
    if (existing.length >= MAX_PASSKEYS) return fail("too_many");
    const handle = await store.passkeyUserIdOf({ userId: user.id, candidate: random.bytes(32).toString("base64url") });
    if (!handle) return fail("user_gone");
    const { challenge, challengeToken, expiresAt } = await newChallenge("registration", user.id);
    const options = await generateRegistrationOptions({
      rpName,
      rpID: rpId,
      userName: user.email,
      userDisplayName: user.name ?? user.email,
      userID: Buffer.from(handle, "base64url"),
      challenge: Buffer.from(challenge, "base64url"),
      timeout: CHALLENGE_MS,
      attestationType: "none",
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
      authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    return { ok: true, options, challengeToken, expiresAt };
  }

  /** Verifies a registration response against its challenge and stores the passkey. */
  async function register(
    claims: AccessClaims,
    input: { credential: RegistrationResponseJSON; name?: string | null },
    challengeToken: string | undefined,
    meta: RequestMeta,
  ): Promise<
    Result<{ passkey: PublicPasskey }, "reauthentication_required" | "invalid_passkey" | "already_registered">
  > {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const challenge = await takeChallenge(challengeToken, "registration", claims.sub);
    if (!challenge) return fail("invalid_passkey");
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: input.credential,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch {
      return fail("invalid_passkey");
    }
    if (!verified.verified || !verified.registrationInfo) return fail("invalid_passkey");
    const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
    const now = clock.now();
    const row: PasskeyRow = {
      id: credential.id,
      userId: claims.sub,
      publicKey: Buffer.from(credential.publicKey).toString("base64url"),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      name: input.name?.trim() || "Passkey",
      createdAt: now,
      lastUsedAt: null,
    };
    const { lastUsedAt: _none, ...passkey } = row;
    const stored = await store.insertPasskey({
      passkey,
      event: ctx.event(
        "passkey_added",
        meta,
        { userId: claims.sub, familyId: claims.sid },
        { backedUp: credentialBackedUp },
        now,
      ),
    });
    return stored ? { ok: true, passkey: toPublicPasskey(row) } : fail("already_registered");
  }

  /** Sign-in options: no allowCredentials (discoverable credentials: no email typed). */
  async function signInOptions(): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
    const { challenge, challengeToken, expiresAt } = await newChallenge("sign_in", null);
    const options = await generateAuthenticationOptions({
      rpID: rpId,
      challenge: Buffer.from(challenge, "base64url"),
      timeout: CHALLENGE_MS,
      userVerification: "required",
    });
    return { options, challengeToken, expiresAt };
  }

  /**
   * Checks an assertion against a stored passkey: its owner's handle, the challenge, the origin
   * and RP ID, user verification, a signature from its key, a counter that does not go back. The
   * counter moves only from the value checked (a concurrent use of the same assertion loses).
   */
  async function verifyAssertion(
    credential: AuthenticationResponseJSON,
    challenge: string,
    owner: string | null,
  ): Promise<PasskeyRow | null> {
    const passkey = typeof credential?.id === "string" ? await store.passkeyById(credential.id) : undefined;
    if (!passkey || (owner !== null && passkey.userId !== owner)) return null;
    const user = await store.userById(passkey.userId);
    // The library does not check the handle: a response for one credential must name its owner.
    if (!user?.passkeyUserId || credential.response?.userHandle !== user.passkeyUserId) return null;
    try {
      const verified = await verifyAuthenticationResponse({
        response: credential,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpId,
        requireUserVerification: true,
        credential: {
          id: passkey.id,
          publicKey: Buffer.from(passkey.publicKey, "base64url"),
          counter: passkey.counter,
          transports: transportsOf(passkey),
        },
      });
      if (!verified.verified) return null;
      const moved = await store.usePasskey({
        id: passkey.id,
        expectedCounter: passkey.counter,
        counter: verified.authenticationInfo.newCounter,
        now: clock.now(),
      });
      return moved ? passkey : null;
    } catch {
      return null;
    }
  }

  /** Sign-in with a passkey: one answer for every failure; then the pipeline (it owes nothing more). */
  async function signIn(
    credential: AuthenticationResponseJSON,
    challengeToken: string | undefined,
    meta: RequestMeta,
    client?: Client,
  ): Promise<SignInOutcome | Result<never, "invalid_passkey">> {
    const challenge = await takeChallenge(challengeToken, "sign_in", null);
    const passkey = challenge ? await verifyAssertion(credential, challenge, null) : null;
    const user = passkey && (await store.userById(passkey.userId));
    if (!passkey || !user) {
      await ctx.record("passkey_sign_in_failed", meta, {});
      return fail("invalid_passkey");
    }
    return pipeline.completeSignIn({
      user,
      methods: ["hwk", "user"],
      meta,
      client,
      detail: { via: "passkey", backedUp: passkey.backedUp },
    });
  }

  /** Step-up with a passkey: options listing the user's own passkeys. */
  async function reauthenticationOptions(
    claims: AccessClaims,
  ): Promise<Result<Ceremony<PublicKeyCredentialRequestOptionsJSON>, "no_passkeys">> {
    const existing = await store.passkeysOf(claims.sub);
    if (existing.length === 0) return fail("no_passkeys");
    const { challenge, challengeToken, expiresAt } = await newChallenge("reauthentication", claims.sub);
    const options = await generateAuthenticationOptions({
      rpID: rpId,
      challenge: Buffer.from(challenge, "base64url"),
      timeout: CHALLENGE_MS,
      userVerification: "required",
      allowCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    });
    return { ok: true, options, challengeToken, expiresAt };
  }

  /** Whether a step-up assertion is good for this user (its own challenge, its own passkey). */
  async function checkReauthentication(
    claims: AccessClaims,
    credential: AuthenticationResponseJSON,
    challengeToken: string | undefined,
  ): Promise<boolean> {
    const challenge = await takeChallenge(challengeToken, "reauthentication", claims.sub);
    return !!challenge && !!(await verifyAssertion(credential, challenge, claims.sub));
  }

  async function list(userId: string): Promise<PublicPasskey[]> {
    return (await store.passkeysOf(userId)).map(toPublicPasskey);
  }

  async function rename(claims: AccessClaims, id: string, name: string): Promise<Result<object, "not_found">> {
    return (await store.renamePasskey({ id, userId: claims.sub, name: name.trim() }))
      ? { ok: true }
      : fail("not_found");
  }

  async function remove(
    claims: AccessClaims,
    id: string,
    meta: RequestMeta,
  ): Promise<Result<object, "reauthentication_required" | "not_found">> {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const removed = await store.deletePasskey({
      id,
      userId: claims.sub,
      event: ctx.event("passkey_removed", meta, { userId: claims.sub, familyId: claims.sid }),
    });
    return removed ? { ok: true } : fail("not_found");
  }

  return {
    passkeyRegistrationOptions: registrationOptions,
    registerPasskey: register,
    passkeySignInOptions: signInOptions,
    signInWithPasskey: signIn,
    passkeyReauthenticationOptions: reauthenticationOptions,
    checkPasskeyReauthentication: checkReauthentication,
    listPasskeys: list,
    renamePasskey: rename,
    removePasskey: remove,
  };
}

export type Passkeys = ReturnType<typeof createPasskeys>;
