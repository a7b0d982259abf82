/**
 * O(1) refresh storage (docs/decisions/refresh-tokens-in-the-family.md), on the engine TEST_DB
 * picks: a family holds its live token and the previous one whatever its age; every older token
 * is recognised by its tag and is reuse; a forged token is unknown and ends nobody's family; and
 * families from before the change keep working after the migration.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashOpaqueToken } from "@/lib/auth/opaque-token";
import { META, MINUTE, makeAuth } from "./helpers";

async function signedIn(email: string, ctx?: Awaited<ReturnType<typeof makeAuth>>) {
  const c = ctx ?? (await makeAuth());
  const reg = await c.auth.register({ email, password: "correct horse battery" }, META);
  if (!("access" in reg)) throw new Error("register failed");
  return { ...c, session: reg };
}

/** Every row that belongs to one family, in every table that can hold one. */
async function rowsOf(db: Awaited<ReturnType<typeof makeAuth>>["db"], familyId: string) {
  return {
    families: await db.count("refresh_families", { id: familyId }),
    tokens: await db.count("refresh_tokens", { family_id: familyId }),
    events: await db.count("auth_events", { family_id: familyId }),
  };
}

async function refreshTimes(
  ctx: Awaited<ReturnType<typeof signedIn>>,
  times: number,
): Promise<{ first: string; last: string }> {
  let token = ctx.session.refresh.token;
  for (let i = 0; i < times; i++) {
    ctx.clock.advance(MINUTE);
    const next = await ctx.auth.refresh(token, META);
    if (!next.ok || !next.refresh) throw new Error(`refresh ${i} failed`);
    token = next.refresh.token;
  }
  return { first: ctx.session.refresh.token, last: token };
}

/** A copy of `token` with one byte of its decoded bytes changed. */
function flipByte(token: string, index: number) {
  const bytes = Buffer.from(token, "base64url");
  bytes[index] ^= 0x01;
  return bytes.toString("base64url");
}

describe("a family's storage does not grow with its refreshes", () => {
  it("500 refreshes hold as many rows as 2, and a replay of the very first token still ends the family", async () => {
    const ctx = await makeAuth();
    const short = await signedIn("two@example.com", ctx);
    const long = await signedIn("five-hundred@example.com", ctx);
    await refreshTimes(short, 2);
    const { first, last } = await refreshTimes(long, 500);

    const shortRows = await rowsOf(ctx.db, short.session.access.claims.sid);
    expect(await rowsOf(ctx.db, long.session.access.claims.sid)).toEqual(shortRows);
    expect(shortRows).toEqual({ families: 1, tokens: 0, events: 1 });

    const replay = await ctx.auth.refresh(first, META);
    expect(replay).toEqual({ ok: false, error: "reuse_detected" });
    expect(await ctx.auth.refresh(last, META)).toEqual({ ok: false, error: "reuse_detected" });
    expect((await ctx.store.familyById(long.session.access.claims.sid))?.revokedReason).toBe("reuse_detected");
    // The other family is untouched.
    expect((await ctx.store.familyById(short.session.access.claims.sid))?.revokedAt).toBeNull();
  });

  it("a token from the middle of a long chain is reuse too (its generation is in its bytes, checked by the tag)", async () => {
    const ctx = await signedIn("middle@example.com");
    let token = ctx.session.refresh.token;
    let middle = "";
    for (let i = 0; i < 20; i++) {
      ctx.clock.advance(MINUTE);
      const next = await ctx.auth.refresh(token, META);
      if (!next.ok || !next.refresh) throw new Error();
      token = next.refresh.token;
      if (i === 9) middle = token;
    }
    expect(await ctx.auth.refresh(middle, META)).toEqual({ ok: false, error: "reuse_detected" });
  });
});

describe("forged refresh tokens end nobody's family", () => {
  it("a changed tag, family id, generation or random part is unknown; the owner's token still works", async () => {
    const ctx = await signedIn("forged@example.com");
    ctx.clock.advance(MINUTE);
    const r1 = await ctx.auth.refresh(ctx.session.refresh.token, META);
    if (!r1.ok || !r1.refresh) throw new Error();
    const live = r1.refresh.token;
    // Bytes: version 0 | family 1..16 | generation 17..20 | random 21..52 | tag 53..68.
    const forgeries = [
      flipByte(live, 60), // the tag
      flipByte(live, 5), // another family's id (the victim's, if a thief knew it)
      flipByte(live, 20), // generation 0 → 1 or 2 → 3: an "older token" made up
      flipByte(ctx.session.refresh.token, 20), // the spent parent with a made-up generation
      flipByte(live, 30), // the random part
      flipByte(live, 0), // the version
    ];
    for (const forged of forgeries) {
      expect(forged).toHaveLength(92);
      const result = await ctx.auth.refresh(forged, META);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).not.toBe("reuse_detected");
    }
    expect((await ctx.store.familyById(ctx.session.access.claims.sid))?.revokedAt).toBeNull();
    expect((await ctx.auth.refresh(live, META)).ok).toBe(true);
  });
});

describe("families from before the change keep working after the migration", () => {
  it("the live legacy token rotates into the new format; its spent parent is reuse", async () => {
    const ctx = await signedIn("legacy@example.com");
    const familyId = ctx.session.access.claims.sid;
    const now = ctx.clock.now();
    // The family as it was: tokens in refresh_tokens, none in the family row.
    const spent = randomBytes(32).toString("base64url");
    const live = randomBytes(32).toString("base64url");
    const spentId = randomUUID();
    await ctx.db.execute(
      `update "refresh_families" set "generation" = 0, "token_hash" = null, "previous_generation" = null, "previous_token_hash" = null, "previous_used_at" = null where "id" = ?`,
      [familyId],
    );
    await ctx.db.execute(
      `insert into "refresh_tokens" ("id", "family_id", "parent_id", "generation", "token_hash", "created_at", "expires_at", "used_at") values (?, ?, null, 0, ?, ?, ?, ?)`,
      [spentId, familyId, hashOpaqueToken(spent), now - 10 * MINUTE, now + 86400_000, now - 5 * MINUTE],
    );
    await ctx.db.execute(
      `insert into "refresh_tokens" ("id", "family_id", "parent_id", "generation", "token_hash", "created_at", "expires_at", "used_at") values (?, ?, ?, 1, ?, ?, ?, null)`,
      [randomUUID(), familyId, spentId, hashOpaqueToken(live), now - 5 * MINUTE, now + 86400_000],
    );
    // The data half of the migration, as shipped.
    const engine = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
    const file = engine === "postgres" ? "0005_family_tokens.sql" : "0007_family_tokens.sql";
    const sql = fs.readFileSync(path.join("db", engine, "migrations", file), "utf8");
    const updates = sql
      .split("--> statement-breakpoint")
      .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
      .filter((s) => /^update/i.test(s));
    expect(updates).toHaveLength(2);
    for (const statement of updates) await ctx.db.execute(statement);

    const rotated = await ctx.auth.refresh(live, META);
    if (!rotated.ok || !rotated.refresh) throw new Error("the live legacy token did not rotate");
    expect(rotated.refresh.token).toHaveLength(92);
    expect(rotated.access.claims.sid).toBe(familyId);
    ctx.clock.advance(MINUTE);
    expect((await ctx.auth.refresh(rotated.refresh.token, META)).ok).toBe(true);
    ctx.clock.advance(MINUTE);
    expect(await ctx.auth.refresh(spent, META)).toEqual({ ok: false, error: "reuse_detected" });
  });
});
