/**
 * npm run keys:rotate (scripts/rotate-keys.ts, scripts/key-rotation.ts): add, promote and retire
 * on the AUTH_SIGNING_KEYS JWK Set. Each step's output is a set the app starts with, and a token
 * signed before a step verifies after it until the old key is retired. The CLI prints the secret
 * set on stdout only, and nothing secret on stderr.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { signAccessToken, verifyAccessToken } from "@/lib/auth/access-token";
import { PRIVATE_MEMBERS, generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import { RotationError, rotate } from "@/scripts/key-rotation";
import { AUDIENCE, ISSUER } from "./helpers";

const SETTINGS = { issuer: ISSUER, audience: AUDIENCE, accessTokenTtl: 900 };
const kids = (json: string) => (JSON.parse(json) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

async function tokenBy(keys: KeySet) {
  return (
    await signAccessToken(
      { userId: "u", familyId: "f", tokenVersion: 0, role: "user" },
      keys,
      SETTINGS,
      Date.now(),
      crypto.randomUUID(),
    )
  ).token;
}
const verifies = async (token: string, json: string) =>
  (await verifyAccessToken(token, await loadKeySet(json), SETTINGS, Date.now())).ok;

describe("rotation steps", () => {
  it("add → promote → retire: published before it signs, old tokens verify until retired", async () => {
    const a = await generateKeySetJson("ES256");
    const [kidA] = kids(a);
    const tokenA = await tokenBy(await loadKeySet(a));

    const added = await rotate(a, "add", { alg: "EdDSA" });
    const [, kidB] = kids(added.next);
    expect(kids(added.next)).toEqual([kidA, kidB]);
    const afterAdd = await loadKeySet(added.next);
    expect(afterAdd.signing.kid).toBe(kidA); // B does not sign yet...
    expect(afterAdd.publicJwks.keys.map((k) => k.kid)).toEqual([kidA, kidB]); // ...but is published
    expect(added.after).toEqual([
      { kid: kidA, alg: "ES256", signs: true },
      { kid: kidB, alg: "EdDSA", signs: false },
    ]);

    const promoted = await rotate(added.next, "promote");
    expect(kids(promoted.next)).toEqual([kidB, kidA]);
    const tokenB = await tokenBy(await loadKeySet(promoted.next));
    expect(await verifies(tokenA, promoted.next)).toBe(true);
    expect(await verifies(tokenB, promoted.next)).toBe(true);
    // An instance still on the added set (a deploy in progress) verifies B's tokens too.
    expect(await verifies(tokenB, added.next)).toBe(true);

    const retired = await rotate(promoted.next, "retire");
    expect(kids(retired.next)).toEqual([kidB]);
    expect(await verifies(tokenA, retired.next)).toBe(false);
    expect(await verifies(tokenB, retired.next)).toBe(true);
    // Private key material is carried over unchanged, never regenerated.
    expect(JSON.parse(retired.next).keys[0]).toEqual(JSON.parse(added.next).keys[1]);
  });

  it("refuses what would break the app or the procedure", async () => {
    const a = await generateKeySetJson("ES256");
    await expect(rotate(a, "promote")).rejects.toThrow(RotationError);
    await expect(rotate(a, "retire")).rejects.toThrow(/nothing to retire/);
    const two = (await rotate(a, "add")).next;
    await expect(rotate(two, "retire", { kid: kids(two)[0] })).rejects.toThrow(/signing key/);
    await expect(rotate(two, "promote", { kid: "nope" })).rejects.toThrow(/no key with kid/);
    const three = await rotate(two, "add");
    expect(three.warnings.join()).toMatch(/already has 2 keys/);
    await expect(rotate(three.next, "retire")).rejects.toThrow(/name the one to retire/);
    expect(kids((await rotate(three.next, "retire", { kid: kids(three.next)[1] })).next)).toEqual([
      kids(two)[0],
      kids(three.next)[2],
    ]);
    await expect(rotate("not json", "add")).rejects.toThrow(/not valid JSON/);
    await expect(rotate('{"keys":[{"kty":"EC","kid":"x","alg":"ES256"}]}', "add")).rejects.toThrow(/AUTH_SIGNING_KEYS/);
  });
});

describe("npm run keys:rotate", () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(path.join("node_modules", ".bin", "tsx"), ["scripts/rotate-keys.ts", ...args], {
      encoding: "utf8",
      env: { ...process.env, AUTH_SIGNING_KEYS: "", ...env },
    });

  it("stdout is exactly the next set; stderr names kids and roles and warns, with no key material", async () => {
    const a = await generateKeySetJson("ES256");
    const res = run(["add"], { AUTH_SIGNING_KEYS: a });
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    const next = await loadKeySet(lines[0]);
    expect(next.verifying.size).toBe(2);
    expect(res.stderr).toMatch(/a secret/);
    expect(res.stderr).toContain(kids(lines[0])[1]);
    for (const key of JSON.parse(lines[0]).keys as Record<string, string>[]) {
      for (const member of PRIVATE_MEMBERS) if (key[member]) expect(res.stderr).not.toContain(key[member]);
      expect(res.stderr).not.toContain(key.x);
    }
  });

  it("reads a file, writes --out with mode 0600 and never overwrites; errors exit 1 with nothing on stdout", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotate-"));
    const input = path.join(dir, "current.json");
    fs.writeFileSync(input, await generateKeySetJson("ES256"));
    const added = run(["add", input]);
    const out = path.join(dir, "next.json");
    const promoted = run(["promote", "--out", out], { AUTH_SIGNING_KEYS: added.stdout.trim() });
    expect(promoted.status, promoted.stderr).toBe(0);
    expect(promoted.stdout).toBe("");
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(kids(fs.readFileSync(out, "utf8"))).toEqual([kids(added.stdout)[1], kids(added.stdout)[0]]);
    const again = run(["promote", "--out", out], { AUTH_SIGNING_KEYS: added.stdout.trim() });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/EEXIST/);
    for (const args of [["retire", input], ["unknown"], ["add"], ["add", input, "--alg", "HS256"]]) {
      const res = run(args);
      expect(res.status, args.join(" ")).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/^keys:rotate: /);
    }
  });
});
