/**
 * The software authenticator (./webauthn-authenticator) against @simplewebauthn/server itself: its
 * well-made responses verify, and each forgery is refused by the rule it breaks. Every refused
 * forgery has a control: the same response verifies once the server is told to expect the broken
 * thing, which shows that the forgery broke that one thing and nothing else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type VerifyAuthenticationResponseOpts,
  type VerifyRegistrationResponseOpts,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import { convertCOSEtoPKCS, decodeAttestationObject, isoBase64URL } from "@simplewebauthn/server/helpers";
import {
  createSoftAuthenticator,
  type AuthenticationForgery,
  type RegistrationForgery,
  type SoftAuthenticator,
  type SoftAuthenticatorOptions,
} from "./webauthn-authenticator";

const RP_ID = "localhost";
const ORIGIN = "http://localhost:3000";
const OTHER_CHALLENGE = isoBase64URL.fromBuffer(new Uint8Array(32).fill(7));

const newAuthenticator = (options: Partial<SoftAuthenticatorOptions> = {}) =>
  createSoftAuthenticator({ rpId: RP_ID, origin: ORIGIN, ...options });

/** What the server library decided: a verdict, or the message it threw. */
type Outcome = { verified: boolean } | { threw: string };
async function outcome(run: () => Promise<{ verified: boolean }>): Promise<Outcome> {
  try {
    return { verified: (await run()).verified };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}
const threw = (message: RegExp) => ({ threw: expect.stringMatching(message) });

let userCount = 0;
function registrationOptions() {
  return generateRegistrationOptions({
    rpName: "Test",
    rpID: RP_ID,
    userName: `user-${++userCount}@example.com`,
    attestationType: "none",
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
}

function verifyRegistration(
  response: RegistrationResponseJSON,
  options: PublicKeyCredentialCreationOptionsJSON,
  overrides: Partial<VerifyRegistrationResponseOpts> = {},
) {
  return verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
    ...overrides,
  });
}

/** Registers a new credential on the authenticator and returns what the server stores for it. */
async function registered(authenticator: SoftAuthenticator): Promise<WebAuthnCredential> {
  const options = await registrationOptions();
  const result = await verifyRegistration(await authenticator.register(options), options);
  if (!result.verified) throw new Error("registration did not verify");
  return result.registrationInfo.credential;
}

function authenticationOptions(credentialId?: string) {
  return generateAuthenticationOptions({
    rpID: RP_ID,
    userVerification: "required",
    allowCredentials: credentialId ? [{ id: credentialId }] : [],
  });
}

function verifyAuthentication(
  response: AuthenticationResponseJSON,
  options: PublicKeyCredentialRequestOptionsJSON,
  credential: WebAuthnCredential,
  overrides: Partial<VerifyAuthenticationResponseOpts> = {},
) {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential,
    requireUserVerification: true,
    ...overrides,
  });
}

describe("software authenticator: well-made responses verify", () => {
  it("registration: attestation none, ES256 key, UV, synced-passkey flags", async () => {
    const authenticator = newAuthenticator();
    const options = await registrationOptions();
    const response = await authenticator.register(options);
    const result = await verifyRegistration(response, options);

    expect(result.verified).toBe(true);
    const info = result.registrationInfo!;
    expect(info.credential.id).toBe(response.id);
    expect(info).toMatchObject({
      fmt: "none",
      aaguid: "00000000-0000-0000-0000-000000000000",
      credentialDeviceType: "multiDevice",
      credentialBackedUp: true,
      userVerified: true,
      origin: ORIGIN,
      rpID: RP_ID,
    });
    expect(info.credential.counter).toBe(0);
    expect(info.credential.transports).toEqual(["internal"]);
    // The SPKI publicKey and the COSE key in authData are the same point, and the top-level
    // authenticatorData is the one inside the attestation object.
    const spki = isoBase64URL.toBuffer(response.response.publicKey!);
    expect(isoBase64URL.fromBuffer(spki.slice(-65))).toBe(
      isoBase64URL.fromBuffer(convertCOSEtoPKCS(info.credential.publicKey)),
    );
    const authData = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get(
      "authData",
    );
    expect(isoBase64URL.fromBuffer(authData)).toBe(response.response.authenticatorData);
    expect(authenticator.credentials()).toEqual([{ id: response.id, userHandle: options.user.id, signCount: 0 }]);
  });

  it("a single-device credential reports BE=0, BS=0", async () => {
    const options = await registrationOptions();
    const response = await newAuthenticator({ backupEligible: false }).register(options);
    const result = await verifyRegistration(response, options);
    expect(result.registrationInfo).toMatchObject({ credentialDeviceType: "singleDevice", credentialBackedUp: false });
  });

  it("authentication with a counter starting at 0: it stays 0 and the server accepts 0 after 0", async () => {
    const authenticator = newAuthenticator();
    const credential = await registered(authenticator);
    for (let i = 0; i < 2; i++) {
      const options = await authenticationOptions(credential.id);
      const result = await verifyAuthentication(await authenticator.authenticate(options), options, credential);
      expect(result).toMatchObject({ verified: true, authenticationInfo: { newCounter: 0, userVerified: true } });
    }
    expect(authenticator.credentials()[0].signCount).toBe(0);
  });

  it("authentication with a counter starting at 5: registration reports 5, then 6, 7", async () => {
    const authenticator = newAuthenticator({ signCountStart: 5 });
    let credential = await registered(authenticator);
    expect(credential.counter).toBe(5);
    for (const expected of [6, 7]) {
      const options = await authenticationOptions(credential.id);
      const result = await verifyAuthentication(await authenticator.authenticate(options), options, credential);
      expect(result).toMatchObject({ verified: true, authenticationInfo: { newCounter: expected } });
      credential = { ...credential, counter: result.authenticationInfo.newCounter };
    }
    expect(authenticator.credentials()[0].signCount).toBe(7);
  });

  it("discoverable flow: no allowCredentials, userHandle = user.id from registration, credentialId picks", async () => {
    const authenticator = newAuthenticator();
    const first = await registrationOptions();
    const firstResponse = await authenticator.register(first);
    const second = await registrationOptions();
    const secondResponse = await authenticator.register(second);
    const secondCredential = (await verifyRegistration(secondResponse, second)).registrationInfo!.credential;

    const options = await authenticationOptions();
    await expect(authenticator.authenticate(options)).rejects.toThrow(/several credentials/);
    const response = await authenticator.authenticate(options, { credentialId: secondResponse.id });
    expect(response.id).toBe(secondResponse.id);
    expect(response.response.userHandle).toBe(second.user.id);
    expect(response.response.userHandle).not.toBe(first.user.id);
    expect((await verifyAuthentication(response, options, secondCredential)).verified).toBe(true);
    expect(firstResponse.id).not.toBe(secondResponse.id);
  });

  it("the library does not look at userHandle: mapping it to the account is the app's job", async () => {
    const authenticator = newAuthenticator();
    const credential = await registered(authenticator);
    const options = await authenticationOptions();
    for (const userHandle of ["c29tZW9uZS1lbHNl", null]) {
      const response = await authenticator.authenticate(options, { userHandle });
      expect(response.response.userHandle).toBe(userHandle ?? undefined);
      expect(await outcome(() => verifyAuthentication(response, options, credential))).toEqual({ verified: true });
    }
  });
});

describe("software authenticator: each registration forgery is refused by the rule it breaks", () => {
  const cases: {
    name: string;
    forge: RegistrationForgery;
    server?: Partial<VerifyRegistrationResponseOpts>;
    refused: Outcome;
    control: Partial<VerifyRegistrationResponseOpts>;
  }[] = [
    {
      name: "wrong origin",
      forge: { origin: "https://evil.example" },
      refused: threw(/^Unexpected registration response origin "https:\/\/evil.example"/),
      control: { expectedOrigin: "https://evil.example" },
    },
    {
      name: "rpIdHash of another RP ID",
      forge: { rpIdHashOf: "evil.example" },
      refused: threw(/^Unexpected RP ID hash$/),
      control: { expectedRPID: "evil.example" },
    },
    {
      name: "clientData.type webauthn.get",
      forge: { type: "webauthn.get" },
      refused: threw(/^Unexpected registration response type: webauthn.get$/),
      control: { expectedType: "webauthn.get" },
    },
    {
      name: "replaced challenge",
      forge: { challenge: OTHER_CHALLENGE },
      refused: threw(/^Unexpected registration response challenge/),
      control: { expectedChallenge: OTHER_CHALLENGE },
    },
    {
      name: "UV cleared, requireUserVerification: true",
      forge: { userVerified: false },
      refused: threw(/^User verification was required, but user could not be verified$/),
      control: { requireUserVerification: false },
    },
    {
      name: "UP cleared",
      forge: { userPresent: false },
      refused: threw(/^User presence was required, but user was not present$/),
      control: { requireUserPresence: false },
    },
    {
      // "none" attestation signs nothing, so only the allow-list can catch a relabelled key.
      name: "COSE alg EdDSA on a P-256 key, server allows only ES256",
      forge: { alg: -8 },
      server: { supportedAlgorithmIDs: [-7] },
      refused: threw(/^Unexpected public key alg "-8", expected one of "-7"$/),
      control: { supportedAlgorithmIDs: [-8, -7] },
    },
  ];

  it.each(cases)("$name", async ({ forge, server, refused, control }) => {
    const options = await registrationOptions();
    const response = await newAuthenticator().register(options, forge);
    expect(await outcome(() => verifyRegistration(response, options, server))).toEqual(refused);
    expect(await outcome(() => verifyRegistration(response, options, { ...server, ...control }))).toEqual({
      verified: true,
    });
  });
});

describe("software authenticator: each authentication forgery is refused by the rule it breaks", () => {
  const alice = newAuthenticator();
  const mallory = newAuthenticator();
  let aliceCredential: WebAuthnCredential;
  let malloryCredential: WebAuthnCredential;
  beforeAll(async () => {
    aliceCredential = await registered(alice);
    malloryCredential = await registered(mallory);
  });

  const cases: {
    name: string;
    forge: AuthenticationForgery;
    storedCounter?: number;
    refused: Outcome;
    control: (() => Partial<VerifyAuthenticationResponseOpts>) | null;
  }[] = [
    {
      name: "wrong origin",
      forge: { origin: "https://evil.example" },
      refused: threw(/^Unexpected authentication response origin "https:\/\/evil.example"/),
      control: () => ({ expectedOrigin: "https://evil.example" }),
    },
    {
      name: "rpIdHash of another RP ID",
      forge: { rpIdHashOf: "evil.example" },
      refused: threw(/^Unexpected RP ID hash$/),
      control: () => ({ expectedRPID: "evil.example" }),
    },
    {
      name: "clientData.type webauthn.create",
      forge: { type: "webauthn.create" },
      refused: threw(/^Unexpected authentication response type: webauthn.create$/),
      control: () => ({ expectedType: "webauthn.create" }),
    },
    {
      name: "replaced challenge",
      forge: { challenge: OTHER_CHALLENGE },
      refused: threw(/^Unexpected authentication response challenge/),
      control: () => ({ expectedChallenge: OTHER_CHALLENGE }),
    },
    {
      name: "UV cleared, requireUserVerification: true",
      forge: { userVerified: false },
      refused: threw(/^User verification required, but user could not be verified$/),
      control: () => ({ requireUserVerification: false }),
    },
    {
      // Outside FIDO mode UP is always required; FIDO "preferred" mode skips the flag checks.
      name: "UP cleared",
      forge: { userPresent: false },
      refused: threw(/^User not present during authentication$/),
      control: () => ({ advancedFIDOConfig: { userVerification: "preferred" } }),
    },
    {
      name: "counter 9 presented, 10 stored",
      forge: { signCount: 9 },
      storedCounter: 10,
      refused: threw(/^Response counter value 9 was lower than expected 10$/),
      control: () => ({ credential: { ...aliceCredential, counter: 8 } }),
    },
    {
      name: "bad signature",
      forge: { badSignature: true },
      refused: { verified: false },
      control: null,
    },
    {
      name: "signed by another authenticator's key for this credential id",
      forge: { signWithCredentialOf: mallory },
      refused: { verified: false },
      // The signature is sound, just by Mallory's key: it verifies under her public key.
      control: () => ({ credential: { ...aliceCredential, publicKey: malloryCredential.publicKey } }),
    },
  ];

  it.each(cases)("$name", async ({ forge, storedCounter, refused, control }) => {
    const options = await authenticationOptions(aliceCredential.id);
    const response = await alice.authenticate(options, forge);
    expect(response.id).toBe(aliceCredential.id);
    const credential = { ...aliceCredential, counter: storedCounter ?? aliceCredential.counter };
    expect(await outcome(() => verifyAuthentication(response, options, credential))).toEqual(refused);
    if (control) {
      expect(await outcome(() => verifyAuthentication(response, options, credential, control()))).toEqual({
        verified: true,
      });
    }
  });

  it("a forgery changes only what it names (counter 0, so authData is otherwise stable)", async () => {
    const options = await authenticationOptions(aliceCredential.id);
    const decode = (r: AuthenticationResponseJSON) => ({
      clientData: JSON.parse(isoBase64URL.toUTF8String(r.response.clientDataJSON)) as Record<string, unknown>,
      authData: isoBase64URL.toBuffer(r.response.authenticatorData),
    });
    const base = decode(await alice.authenticate(options));
    expect(base.clientData).toEqual({
      type: "webauthn.get",
      challenge: options.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });
    expect(base.authData.length).toBe(37);
    expect(base.authData[32]).toBe(0x01 | 0x04 | 0x08 | 0x10); // UP UV BE BS

    const origin = decode(await alice.authenticate(options, { origin: "https://evil.example" }));
    expect(origin.clientData).toEqual({ ...base.clientData, origin: "https://evil.example" });
    expect(origin.authData).toEqual(base.authData);

    const uv = decode(await alice.authenticate(options, { userVerified: false }));
    expect(uv.clientData).toEqual(base.clientData);
    expect(uv.authData[32]).toBe(base.authData[32] & ~0x04);
    expect([...uv.authData.slice(0, 32), ...uv.authData.slice(33)]).toEqual([
      ...base.authData.slice(0, 32),
      ...base.authData.slice(33),
    ]);

    const counter = decode(await alice.authenticate(options, { signCount: 9 }));
    expect(counter.clientData).toEqual(base.clientData);
    expect(Buffer.from(counter.authData.slice(33)).readUInt32BE()).toBe(9);
    expect(counter.authData.slice(0, 33)).toEqual(base.authData.slice(0, 33));
  });
});
