/** Sealing secrets at rest (lib/auth/sealed.ts): AES-256-GCM, bound to a context, keys rotate. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretsKeyError, createSealer, generateSecretsKey, parseSecretsKeys } from "@/lib/auth/sealed";

describe("sealed secrets", () => {
  const key = randomBytes(32);
  const sealer = createSealer([key]);

  it("opens what it sealed, for the same context only; the sealed text does not contain the secret", () => {
    const sealed = sealer.seal("the link token", "mail:1");
    expect(sealed).not.toContain("the link token");
    expect(sealer.open(sealed, "mail:1")).toBe("the link token");
    expect(sealer.open(sealed, "mail:2")).toBeNull();
    expect(sealer.seal("x", "c")).not.toBe(sealer.seal("x", "c")); // a fresh IV every time
  });

  it("refuses tampered, truncated or foreign values", () => {
    const sealed = sealer.seal("secret", "ctx");
    const [v, kid, iv, ct, tag] = sealed.split(".");
    const flip = (s: string) =>
      Buffer.from(Buffer.from(s, "base64url").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64url");
    for (const forged of [
      [v, kid, iv, flip(ct), tag].join("."),
      [v, kid, flip(iv), ct, tag].join("."),
      [v, kid, iv, ct, flip(tag)].join("."),
      [v, kid, iv, ct, tag.slice(0, 8)].join("."), // a shorter tag is not a weaker check
      [v, kid, iv, ct].join("."),
      ["v2", kid, iv, ct, tag].join("."),
      `${sealed}.extra`,
      "",
    ]) {
      expect(sealer.open(forged, "ctx")).toBeNull();
    }
    expect(createSealer([randomBytes(32)]).open(sealed, "ctx")).toBeNull();
  });

  it("rotation: the first key seals, every listed key opens", () => {
    const older = sealer.seal("from the old key", "ctx");
    const rotated = createSealer(parseSecretsKeys(`${generateSecretsKey()},${key.toString("base64url")}`));
    expect(rotated.open(older, "ctx")).toBe("from the old key");
    expect(sealer.open(rotated.seal("new", "ctx"), "ctx")).toBeNull();
  });

  it("AUTH_SECRETS_KEY must be base64url keys of 32 bytes", () => {
    for (const bad of ["", "short", randomBytes(16).toString("base64url"), `${randomBytes(32).toString("hex")}`, ","]) {
      expect(() => parseSecretsKeys(bad)).toThrow(SecretsKeyError);
    }
    expect(parseSecretsKeys(` ${generateSecretsKey()} , ${generateSecretsKey()} `)).toHaveLength(2);
  });
});
