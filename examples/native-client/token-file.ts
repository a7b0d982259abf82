/**
 * Where the example native client keeps its session: the tokens AND the DPoP private key, in one
 * JSON file readable by its owner only. A stand-in for the platform's keychain (iOS Keychain with
 * the key in the Secure Enclave, Android Keystore, macOS Keychain, Windows DPAPI / TPM): there the
 * private key would be non-extractable and never written anywhere as a JWK.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const TOKEN_FILE_MODE = 0o600;

const sessionSchema = z.strictObject({
  version: z.literal(1),
  /** The auth server these tokens are for: never sent to another one. */
  authUrl: z.string().url(),
  /** The DPoP key pair as a private JWK (ES256): whoever has it can use the tokens. */
  dpopKey: z.object({ kty: z.literal("EC"), crv: z.literal("P-256"), x: z.string(), y: z.string(), d: z.string() }),
  tokenType: z.enum(["DPoP", "Bearer"]),
  accessToken: z.string().min(1),
  /** Unix ms. */
  accessTokenExpiresAt: z.number(),
  refreshToken: z.string().min(1),
});

export type StoredSession = z.infer<typeof sessionSchema>;

export class TokenFileError extends Error {}

/**
 * The stored session, or null when there is none. Refuses a file that is not a regular file owned
 * by this user with mode 0600 or narrower: if anyone else could read it, they could have copied
 * the refresh token and the key, and the only safe move is to sign out and in again.
 */
export function readTokenFile(file: string): StoredSession | null {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted in place of the file is refused, not followed.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ELOOP") throw new TokenFileError(`${file} is a symbolic link; refusing to read it`);
    throw new TokenFileError(`cannot open ${file}: ${code ?? (error as Error).message}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new TokenFileError(`${file} is not a regular file`);
    if (process.platform !== "win32") {
      if (stat.mode & 0o077) {
        throw new TokenFileError(
          `${file} has mode 0${(stat.mode & 0o777).toString(8)}, wider than 0600: another user may have read the tokens and the key. ` +
            "Refusing to use it. Delete it and sign in again (and sign that session out from your devices page).",
        );
      }
      if (typeof process.getuid === "function" && stat.uid !== process.getuid()) {
        throw new TokenFileError(`${file} belongs to another user; refusing to use it`);
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(fd, "utf8"));
    } catch {
      throw new TokenFileError(`${file} is not valid JSON; delete it and sign in again`);
    }
    const session = sessionSchema.safeParse(parsed);
    if (!session.success)
      throw new TokenFileError(`${file} is not a session file of this client; delete it and sign in again`);
    return session.data;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes atomically (a 0600 temporary file, then rename), so a crash never leaves half a file. */
export function writeTokenFile(file: string, session: StoredSession): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(temporary, "wx", TOKEN_FILE_MODE);
  try {
    fs.writeFileSync(fd, `${JSON.stringify(session)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // The mode given to open() is narrowed by the umask, never widened; set it exactly anyway.
  fs.chmodSync(temporary, TOKEN_FILE_MODE);
  fs.renameSync(temporary, file);
}

export function deleteTokenFile(file: string): void {
  fs.rmSync(file, { force: true });
}
