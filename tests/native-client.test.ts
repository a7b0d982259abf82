/**
 * The example native client's session file (examples/native-client/token-file.ts): the tokens and
 * the DPoP private key, owner-only. A file anyone else could have read is refused, not used.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  TokenFileError,
  deleteTokenFile,
  readTokenFile,
  writeTokenFile,
  type StoredSession,
} from "@/examples/native-client/token-file";

const SESSION: StoredSession = {
  version: 1,
  authUrl: "http://localhost:3000",
  dpopKey: { kty: "EC", crv: "P-256", x: "x", y: "y", d: "d" },
  tokenType: "DPoP",
  accessToken: "a.b.c",
  accessTokenExpiresAt: 1_700_000_000_000,
  refreshToken: "r".repeat(43),
};

const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "native-client-")), "nested", "session.json");

describe("the native client's session file", () => {
  it("is written with mode 0600 (whatever the umask) in a 0700 folder, and read back", () => {
    const file = tempFile();
    const previous = process.umask(0o000);
    try {
      writeTokenFile(file, SESSION);
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readTokenFile(file)).toEqual(SESSION);
    // Rewritten atomically: no temporary file left behind.
    writeTokenFile(file, { ...SESSION, accessToken: "d.e.f" });
    expect(fs.readdirSync(path.dirname(file))).toEqual(["session.json"]);
    expect(readTokenFile(file)?.accessToken).toBe("d.e.f");
  });

  it("is refused when its mode is wider than 0600; 0400 is fine", () => {
    const file = tempFile();
    writeTokenFile(file, SESSION);
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o666, 0o700 | 0o007]) {
      fs.chmodSync(file, mode);
      expect(() => readTokenFile(file), mode.toString(8)).toThrow(TokenFileError);
      expect(() => readTokenFile(file)).toThrow(/wider than 0600/);
    }
    fs.chmodSync(file, 0o400);
    expect(readTokenFile(file)).toEqual(SESSION);
  });

  it("refuses a symbolic link, a folder and a file that is not a session; none is null", () => {
    const file = tempFile();
    writeTokenFile(file, SESSION);
    const link = path.join(path.dirname(file), "link.json");
    fs.symlinkSync(file, link);
    expect(() => readTokenFile(link)).toThrow(/symbolic link/);
    expect(() => readTokenFile(path.dirname(file))).toThrow(TokenFileError);
    fs.writeFileSync(file, "{not json", { mode: 0o600 });
    expect(() => readTokenFile(file)).toThrow(/not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ ...SESSION, version: 2 }), { mode: 0o600 });
    expect(() => readTokenFile(file)).toThrow(/not a session file/);
    deleteTokenFile(file);
    expect(readTokenFile(file)).toBeNull();
  });
});
