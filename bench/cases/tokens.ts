/**
 * In-process cases: the project's verifyAccessToken against raw node:crypto ES256 verify of the
 * same token (and raw WebCrypto, and the verified-token cache hit); signAccessToken against the
 * same header and claims signed with synchronous node:crypto.
 */
import crypto from "node:crypto";
import type { KeySet } from "@/lib/auth/keys";
import { signAccessToken, verifyAccessToken } from "@/lib/auth/access-token";
import { createVerifiedTokenCache } from "@/lib/auth/verified-token-cache";
import { SETTINGS, type Case } from "../lib/micro-harness";
import { MICRO } from "../lib/names";

export async function verifyCases(keys: KeySet): Promise<Case[]> {
  const now = Date.now();
  const { token } = await signAccessToken(
    { userId: crypto.randomUUID(), familyId: crypto.randomUUID(), tokenVersion: 0, role: "user" },
    keys,
    SETTINGS,
    now,
    crypto.randomUUID(),
  );
  const kid = keys.signing.kid;
  const cryptoKey = keys.verifying.get(kid)!.key;
  const keyObject = crypto.KeyObject.from(cryptoKey);
  const dot = token.lastIndexOf(".");

  // Sanity: every variant accepts the token, or the comparison is meaningless.
  const check = await verifyAccessToken(token, keys, SETTINGS, now);
  if (!check.ok) throw new Error(`verifyAccessToken refused the bench token: ${check.error}`);
  const rawOk = crypto.verify(
    "sha256",
    Buffer.from(token.slice(0, dot)),
    { key: keyObject, dsaEncoding: "ieee-p1363" },
    Buffer.from(token.slice(dot + 1), "base64url"),
  );
  if (!rawOk) throw new Error("raw verify refused the bench token");

  const cache = createVerifiedTokenCache();
  cache.set(token, check.claims);

  const subject = {
    userId: crypto.randomUUID(),
    familyId: crypto.randomUUID(),
    tokenVersion: 0,
    role: "user" as const,
  };
  const signingKey = crypto.KeyObject.from(keys.signing.key);
  const [headerSegment] = token.split(".", 1);
  const claimsTemplate = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as Record<
    string,
    unknown
  >;

  return [
    {
      name: MICRO.signJose,
      units: 1000,
      batch: 1,
      async: true,
      op: () => signAccessToken(subject, keys, SETTINGS, now, crypto.randomUUID()),
    },
    {
      // The same header and claims serialised by hand and signed with synchronous node:crypto:
      // what a sign without jose's WebCrypto round trip (libuv thread pool) would cost.
      name: MICRO.signRaw,
      units: 1000,
      batch: 1,
      async: false,
      op: () => {
        const payload = JSON.stringify({ ...claimsTemplate, jti: crypto.randomUUID() });
        const input = `${headerSegment}.${Buffer.from(payload).toString("base64url")}`;
        return `${input}.${crypto.sign("sha256", Buffer.from(input), { key: signingKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
      },
    },
    {
      name: MICRO.verifyJose,
      units: 1000,
      batch: 1,
      async: true,
      op: () => verifyAccessToken(token, keys, SETTINGS, now),
    },
    {
      name: MICRO.verifyRaw,
      units: 1000,
      batch: 1,
      async: false,
      op: () =>
        crypto.verify(
          "sha256",
          Buffer.from(token.slice(0, dot)),
          { key: keyObject, dsaEncoding: "ieee-p1363" },
          Buffer.from(token.slice(dot + 1), "base64url"),
        ),
    },
    {
      name: MICRO.verifySubtle,
      units: 1000,
      batch: 1,
      async: true,
      op: () =>
        crypto.subtle.verify(
          { name: "ECDSA", hash: "SHA-256" },
          cryptoKey,
          Buffer.from(token.slice(dot + 1), "base64url"),
          Buffer.from(token.slice(0, dot)),
        ),
    },
    {
      name: MICRO.cacheHit,
      units: 1500,
      batch: 100,
      async: false,
      op: () => cache.get(token, now),
    },
  ];
}
