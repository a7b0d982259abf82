import type { Random } from "@/lib/auth/clock";
import { hashOpaqueToken, isWellFormedOpaqueToken } from "@/lib/auth/opaque-token";
import type { Sealer } from "@/lib/auth/sealed";
import type { Store } from "@/lib/auth/store";

/**
 * Refresh tokens that name their family and generation, with a tag only the server can make
 * (docs/decisions/refresh-tokens-in-the-family.md). A family stores just its live token's hash and
 * the previous one's, however often it rotates; any older token of it is still recognised as ours
 * by its tag, so presenting it is reuse and ends the family. A forged token (a made-up family,
 * generation or tag) is unknown: it can end nobody's family.
 *
 * Bytes: version (1) | family id (16, a UUID) | generation (4) | random (32) | tag (16) = 69,
 * base64url = 92 characters. Stored only as a SHA-256 hash, like every bearer token here.
 */
const VERSION = 2;
const RANDOM_BYTES = 32;
const BODY_BYTES = 1 + 16 + 4 + RANDOM_BYTES;
const SHAPE = /^[A-Za-z0-9_-]{92}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG_PURPOSE = "refresh token";

export type IssuedRefreshToken = { token: string; hash: string };

/** What a presented refresh token says of itself once its shape (and, for ours, its tag) checked out. */
type PresentedRefreshToken =
  | { kind: "tagged"; familyId: string; generation: number; hash: string }
  /** Issued before families kept their own tokens: found by its hash (refresh_tokens, read only). */
  | { kind: "legacy"; hash: string };

export function issueRefreshToken(
  family: { id: string; generation: number },
  random: Random,
  sealer: Pick<Sealer, "tag">,
): IssuedRefreshToken {
  if (!UUID.test(family.id)) throw new Error("a family id must be a UUID");
  const body = Buffer.alloc(BODY_BYTES);
  body.writeUInt8(VERSION, 0);
  Buffer.from(family.id.replaceAll("-", ""), "hex").copy(body, 1);
  body.writeUInt32BE(family.generation, 17);
  random.bytes(RANDOM_BYTES).copy(body, 21);
  const token = Buffer.concat([body, sealer.tag(body, TAG_PURPOSE)]).toString("base64url");
  return { token, hash: hashOpaqueToken(token) };
}

/** Null for anything that is not one of our refresh tokens (a wrong shape, a forged tag). */
function readRefreshToken(token: string, sealer: Pick<Sealer, "checkTag">): PresentedRefreshToken | null {
  if (isWellFormedOpaqueToken(token)) return { kind: "legacy", hash: hashOpaqueToken(token) };
  if (!SHAPE.test(token)) return null;
  const bytes = Buffer.from(token, "base64url");
  const body = bytes.subarray(0, BODY_BYTES);
  if (body.readUInt8(0) !== VERSION || !sealer.checkTag(body, bytes.subarray(BODY_BYTES), TAG_PURPOSE)) return null;
  const hex = body.subarray(1, 17).toString("hex");
  const familyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { kind: "tagged", familyId, generation: body.readUInt32BE(17), hash: hashOpaqueToken(token) };
}

/**
 * The family a presented token names and its generation: from its own bytes (checked by its tag),
 * or for a legacy token from its row. Null for anything we did not issue.
 */
export async function locateRefreshToken(
  token: string,
  store: Pick<Store, "legacyToken">,
  sealer: Pick<Sealer, "checkTag">,
): Promise<{ familyId: string; generation: number; hash: string } | null> {
  const read = readRefreshToken(token, sealer);
  if (!read) return null;
  if (read.kind === "tagged") return { familyId: read.familyId, generation: read.generation, hash: read.hash };
  const legacy = await store.legacyToken(read.hash);
  return legacy ? { ...legacy, hash: read.hash } : null;
}

/** The cheap check before any work: shaped like a refresh token of either format. */
export const isWellFormedRefreshToken = (token: string) => SHAPE.test(token) || isWellFormedOpaqueToken(token);
