/**
 * The steps of a signing-key rotation that other services survive, as pure functions on the
 * AUTH_SIGNING_KEYS JWK Set (see docs/key-rotation.md):
 *
 *   add      append a new key: it is published in the JWKS and verifies, but does not sign
 *   promote  move it first: it signs; the old key stays and keeps verifying
 *   retire   drop the old key, once every token it signed has expired (ACCESS_TOKEN_TTL)
 *
 * Every input and output goes through loadKeySet, the parser the app itself starts with, so a step
 * never produces a set the app would refuse.
 */
import { SUPPORTED_ALGORITHMS, generateKeySetJson, loadKeySet, type SigningAlgorithm } from "@/lib/auth/keys";

export const ROTATION_STEPS = ["add", "promote", "retire"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

type PrivateJwk = { kid: string; alg: SigningAlgorithm } & Record<string, unknown>;

export class RotationError extends Error {}

/** What a key does in a set, for the summary: no key material, only kid, alg and role. */
export type KeyRole = { kid: string; alg: string; signs: boolean };

export type RotationResult = {
  /** The next AUTH_SIGNING_KEYS, one line of JSON. A secret. */
  next: string;
  before: KeyRole[];
  after: KeyRole[];
  /** What changed, in words (no key material). */
  change: string;
  warnings: string[];
};

function rolesOf(keys: PrivateJwk[]): KeyRole[] {
  return keys.map((k, i) => ({ kid: k.kid, alg: k.alg, signs: i === 0 }));
}

async function parse(json: string): Promise<PrivateJwk[]> {
  await loadKeySet(json); // throws KeySetError with a message naming the problem
  return (JSON.parse(json) as { keys: PrivateJwk[] }).keys;
}

export async function rotate(
  currentJson: string,
  step: RotationStep,
  options: { alg?: SigningAlgorithm; kid?: string; now?: Date } = {},
): Promise<RotationResult> {
  const keys = await parse(currentJson);
  const warnings: string[] = [];
  let next: PrivateJwk[];
  let change: string;

  if (step === "add") {
    const alg = options.alg ?? "ES256";
    if (!SUPPORTED_ALGORITHMS.includes(alg))
      throw new RotationError(`--alg must be one of ${SUPPORTED_ALGORITHMS.join(", ")}`);
    const [fresh] = (JSON.parse(await generateKeySetJson(alg, options.now)) as { keys: PrivateJwk[] }).keys;
    if (keys.some((k) => k.kid === fresh.kid))
      throw new RotationError("the generated kid collides with an existing one; run it again");
    if (keys.length > 1) {
      warnings.push(
        `the set already has ${keys.length} keys: finish the rotation in progress (promote, then retire) before starting another`,
      );
    }
    next = [...keys, fresh];
    change = `added ${fresh.kid} (${alg}) last: published and verifying, not signing`;
  } else if (step === "promote") {
    if (keys.length < 2) throw new RotationError("only one key in the set: run add first, deploy, and wait for caches");
    const index = options.kid === undefined ? keys.length - 1 : keys.findIndex((k) => k.kid === options.kid);
    if (index < 0) throw new RotationError(`no key with kid "${options.kid}" in the set`);
    if (index === 0) throw new RotationError(`${keys[0].kid} already signs`);
    const promoted = keys[index];
    next = [promoted, ...keys.filter((_, i) => i !== index)];
    change = `${promoted.kid} now signs; ${keys[0].kid} keeps verifying`;
  } else {
    if (keys.length < 2)
      throw new RotationError("only one key in the set: nothing to retire (the signing key cannot be)");
    let index: number;
    if (options.kid !== undefined) {
      index = keys.findIndex((k) => k.kid === options.kid);
      if (index < 0) throw new RotationError(`no key with kid "${options.kid}" in the set`);
      if (index === 0) throw new RotationError(`${options.kid} is the signing key: promote another key first`);
    } else {
      if (keys.length > 2)
        throw new RotationError(`the set has ${keys.length} keys: name the one to retire with --kid`);
      index = 1;
    }
    const retired = keys[index];
    next = keys.filter((_, i) => i !== index);
    change = `retired ${retired.kid}: tokens it signed are refused from now on`;
    warnings.push(
      `retire ${retired.kid} only once ACCESS_TOKEN_TTL has passed since the promote was deployed everywhere, or its live tokens are refused`,
    );
  }

  const nextJson = JSON.stringify({ keys: next });
  await loadKeySet(nextJson);
  return { next: nextJson, before: rolesOf(keys), after: rolesOf(next), change, warnings };
}

/** What to do after deploying the result of each step. */
export const NEXT_STEPS: Record<RotationStep, string> = {
  add:
    "Deploy this set everywhere. Then wait until every verifier has the new public key before promoting it: " +
    "the JWKS route may be cached for max-age 300 s + stale-while-revalidate 60 s, and resource servers keep " +
    "their copy for their own cache age (the example's JWKS_CACHE_MAX_AGE, 10 min). Then: keys:rotate promote.",
  promote:
    "Deploy this set everywhere. Tokens signed by the old key keep verifying. Wait ACCESS_TOKEN_TTL (15 min by " +
    "default) after the last instance runs this set, then: keys:rotate retire.",
  retire: "Deploy this set everywhere. The rotation is complete.",
};
