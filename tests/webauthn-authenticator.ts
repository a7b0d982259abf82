/**
 * Software WebAuthn authenticator for tests: answers navigator.credentials.create()/get() options
 * with the same Level 3 JSON that @simplewebauthn/browser hands to the server, built byte for byte
 * (authenticatorData, CBOR attestation object, COSE key, DER ECDSA signature), so the server's
 * verification can run in vitest without a browser.
 *
 * Every response can be forged to break exactly one thing (an origin, a flag, the counter, the
 * signature...) while everything else stays well made, so a test shows which rule refused it.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoCBOR } from "@simplewebauthn/server/helpers";

export type SoftAuthenticatorOptions = {
  rpId: string;
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;
  /** 16 bytes; default all zeros, as browsers report for attestation "none". */
  aaguid?: Uint8Array;
  /** BE flag; default true (a synced passkey). */
  backupEligible?: boolean;
  /** BS flag; default = backupEligible. */
  backedUp?: boolean;
  /** Whether the authenticator sets UV (it always "verifies" when it can); default true. */
  userVerifies?: boolean;
  /** Counter a new credential starts at; 0 (default) = synced-passkey style, stays 0 forever. */
  signCountStart?: number;
};

/** What both ceremonies can break. Each field changes only the part it names. */
type CommonForgery = {
  /** clientData.origin */
  origin?: string;
  /** Compute authenticatorData's rpIdHash from this RP ID instead of the real one. */
  rpIdHashOf?: string;
  /** clientData.type */
  type?: string;
  /** clientData.challenge (base64url) instead of the one in the options. */
  challenge?: string;
  /** Force the UV flag. */
  userVerified?: boolean;
  /** Force the UP flag. */
  userPresent?: boolean;
};

export type RegistrationForgery = CommonForgery & {
  /** COSE alg label (3) in the credential public key, and publicKeyAlgorithm; the key stays P-256. */
  alg?: number;
};

export type AuthenticationForgery = CommonForgery & {
  /** Report this counter value; the authenticator's own counter is left as it was. */
  signCount?: number;
  /** A well-formed DER signature over different bytes, so it cannot verify. */
  badSignature?: boolean;
  /** userHandle to return instead of the credential's; null leaves it out. */
  userHandle?: string | null;
  /** Sign with that authenticator's (first) credential key while claiming this credential's id. */
  signWithCredentialOf?: SoftAuthenticator;
};

export interface SoftAuthenticator {
  /** Answers navigator.credentials.create(): a new ES256 (P-256) resident credential, attestation "none". */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    forge?: RegistrationForgery,
  ): Promise<RegistrationResponseJSON>;
  /**
   * Answers navigator.credentials.get(): the first allowed credential it holds, or for a
   * discoverable flow (no allowCredentials) the one named by `credentialId`, or its only one.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    forge?: AuthenticationForgery & { credentialId?: string },
  ): Promise<AuthenticationResponseJSON>;
  credentials(): { id: string; userHandle: string; signCount: number }[];
}

type StoredCredential = { id: Buffer; userHandle: string; privateKey: KeyObject; signCount: number };

type CBORValue = Parameters<typeof isoCBOR.encode>[0];

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;
const ES256 = -7;

// Private keys stay out of the public interface; signWithCredentialOf reaches them through here.
const keyStores = new WeakMap<SoftAuthenticator, StoredCredential[]>();

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

function uint32BE(value: number) {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function clientDataJSON(type: string, challenge: string, origin: string) {
  // Same members, same order, as browsers serialise CollectedClientData.
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

/** The credential public key as a COSE_Key: a CBOR map with integer labels, in canonical order. */
function coseKey(publicKey: KeyObject, alg: number) {
  const jwk = publicKey.export({ format: "jwk" });
  return isoCBOR.encode(
    new Map<number, CBORValue>([
      [1, 2], // kty: EC2
      [3, alg], // alg
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, "base64url")],
      [-3, Buffer.from(jwk.y!, "base64url")],
    ]),
  );
}

export function createSoftAuthenticator(options: SoftAuthenticatorOptions): SoftAuthenticator {
  const aaguid = options.aaguid ?? new Uint8Array(16);
  if (aaguid.length !== 16) throw new Error("aaguid must be 16 bytes");
  const backupEligible = options.backupEligible ?? true;
  const backedUp = options.backedUp ?? backupEligible;
  const userVerifies = options.userVerifies ?? true;
  const signCountStart = options.signCountStart ?? 0;
  const store: StoredCredential[] = [];

  function checkRpId(requested: string | undefined) {
    // A browser refuses an RP ID that does not belong to the origin; this authenticator knows one.
    if (requested !== undefined && requested !== options.rpId) {
      throw new Error(`SecurityError: RP ID "${requested}" is not "${options.rpId}"`);
    }
  }

  function flags(forge: CommonForgery, extra: number) {
    let value = extra;
    if (forge.userPresent ?? true) value |= FLAG.UP;
    if (forge.userVerified ?? userVerifies) value |= FLAG.UV;
    if (backupEligible) value |= FLAG.BE;
    if (backedUp) value |= FLAG.BS;
    return value;
  }

  function authenticatorData(forge: CommonForgery, flagBits: number, signCount: number, attested?: Uint8Array) {
    const parts = [sha256(forge.rpIdHashOf ?? options.rpId), Buffer.from([flagBits]), uint32BE(signCount)];
    if (attested) parts.push(Buffer.from(attested));
    return Buffer.concat(parts);
  }

  const authenticator: SoftAuthenticator = {
    async register(creation, forge = {}) {
      checkRpId(creation.rp.id);
      if (creation.pubKeyCredParams.length > 0 && !creation.pubKeyCredParams.some((p) => p.alg === ES256)) {
        throw new Error("NotSupportedError: ES256 is not among pubKeyCredParams");
      }
      // An authenticator already holding an excluded credential must not make another one.
      const excluded = new Set(creation.excludeCredentials?.map((c) => c.id));
      if (store.some((c) => excluded.has(b64url(c.id)))) {
        throw new Error("InvalidStateError: an excluded credential is present");
      }

      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const credential: StoredCredential = {
        id: randomBytes(16),
        userHandle: creation.user.id,
        privateKey,
        signCount: signCountStart,
      };
      // Resident key: one credential per user handle, so registering again replaces it.
      const existing = store.findIndex((c) => c.userHandle === credential.userHandle);
      if (existing >= 0) store.splice(existing, 1);
      store.push(credential);

      const alg = forge.alg ?? ES256;
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credential.id.length);
      const attested = Buffer.concat([aaguid, idLength, credential.id, coseKey(publicKey, alg)]);
      const authData = authenticatorData(forge, flags(forge, FLAG.AT), credential.signCount, attested);
      const attestationObject = isoCBOR.encode(
        new Map<string, CBORValue>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]),
      );
      const clientData = clientDataJSON(
        forge.type ?? "webauthn.create",
        forge.challenge ?? creation.challenge,
        forge.origin ?? options.origin,
      );
      const id = b64url(credential.id);
      return {
        id,
        rawId: id,
        type: "public-key",
        response: {
          clientDataJSON: b64url(clientData),
          attestationObject: b64url(attestationObject),
          transports: ["internal"],
          publicKeyAlgorithm: alg,
          publicKey: b64url(publicKey.export({ type: "spki", format: "der" })),
          authenticatorData: b64url(authData),
        },
        clientExtensionResults: {},
        authenticatorAttachment: "platform",
      };
    },

    async authenticate(request, forge = {}) {
      checkRpId(request.rpId);
      const credential = pickCredential(store, request, forge.credentialId);

      // Counting credentials move on with every assertion; a forced value is only reported.
      if (signCountStart > 0) credential.signCount += 1;
      const signCount = forge.signCount ?? credential.signCount;
      const authData = authenticatorData(forge, flags(forge, 0), signCount);
      const clientData = clientDataJSON(
        forge.type ?? "webauthn.get",
        forge.challenge ?? request.challenge,
        forge.origin ?? options.origin,
      );

      let signer = credential.privateKey;
      if (forge.signWithCredentialOf) {
        const other = keyStores.get(forge.signWithCredentialOf)?.[0];
        if (!other) throw new Error("signWithCredentialOf: that authenticator holds no credential");
        signer = other.privateKey;
      }
      const signed = Buffer.concat([authData, sha256(clientData)]);
      // A bad signature is still valid DER, so the check that fails is the signature check itself.
      if (forge.badSignature) signed[signed.length - 1] ^= 0xff;
      const signature = sign("sha256", signed, signer); // ECDSA, DER-encoded: what WebAuthn uses

      const userHandle = forge.userHandle === undefined ? credential.userHandle : forge.userHandle;
      const id = b64url(credential.id);
      return {
        id,
        rawId: id,
        type: "public-key",
        response: {
          clientDataJSON: b64url(clientData),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          ...(userHandle === null ? {} : { userHandle }),
        },
        clientExtensionResults: {},
        authenticatorAttachment: "platform",
      };
    },

    credentials() {
      return store.map((c) => ({ id: b64url(c.id), userHandle: c.userHandle, signCount: c.signCount }));
    },
  };
  keyStores.set(authenticator, store);
  return authenticator;
}

function pickCredential(
  store: StoredCredential[],
  request: PublicKeyCredentialRequestOptionsJSON,
  credentialId: string | undefined,
) {
  const allowed = request.allowCredentials?.map((c) => c.id) ?? [];
  let candidates = allowed.length > 0 ? store.filter((c) => allowed.includes(b64url(c.id))) : store;
  if (credentialId !== undefined) candidates = candidates.filter((c) => b64url(c.id) === credentialId);
  // Discoverable flow with several passkeys: a browser would ask the user, a test must say which.
  if (allowed.length === 0 && credentialId === undefined && candidates.length > 1) {
    throw new Error("NotAllowedError: several credentials; pass credentialId");
  }
  if (candidates.length === 0) throw new Error("NotAllowedError: no matching credential");
  return candidates[0];
}
