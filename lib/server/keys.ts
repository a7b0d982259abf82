import fs from "node:fs";
import path from "node:path";
import { getConfig, type Config } from "@/lib/config";
import { KeySetError, generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import { SecretsKeyError, createSealer, generateSecretsKey, parseSecretsKeys, type Sealer } from "@/lib/auth/sealed";
import { getLogger, type Logger } from "@/lib/shared/log";

const keysKey = Symbol.for("auth-starter.keys");
const g = globalThis as typeof globalThis & { [keysKey]?: Promise<KeySet> };

/**
 * The process-wide key set, with no database: what the proxy and the JWKS route need (and the
 * runtime). On globalThis, as Next may load this module once per bundle in one process.
 */
export function getKeySet(): Promise<KeySet> {
  g[keysKey] ??= resolveKeySet(getConfig(), getLogger()).catch((error) => {
    g[keysKey] = undefined;
    throw error;
  });
  return g[keysKey];
}

/**
 * AUTH_SIGNING_KEYS when set. Otherwise: in production a clear start-up error; in development a
 * key set generated once into a git-ignored file (created exclusively, so two processes starting
 * together agree on one key).
 */
export async function resolveKeySet(config: Config, log: Logger): Promise<KeySet> {
  if (config.signingKeys) return loadKeySet(config.signingKeys);
  if (config.production) {
    throw new KeySetError(
      "AUTH_SIGNING_KEYS is not set. In production the signing keys must come from the environment: " +
        "run `npm run keys` and put its output in AUTH_SIGNING_KEYS.",
    );
  }
  const file = await developmentFile(
    config.devKeysFile,
    () => generateKeySetJson("ES256"),
    log,
    "signing key",
    "AUTH_SIGNING_KEYS",
  );
  return loadKeySet(fs.readFileSync(file, "utf8"));
}

/**
 * AUTH_SECRETS_KEY (what seals queued mail and TOTP secrets at rest) when set; otherwise the same
 * rule as the signing keys: a start-up error in production, a generated git-ignored file in
 * development.
 */
export async function resolveSealer(config: Config, log: Logger): Promise<Sealer> {
  if (config.secretsKey) return createSealer(parseSecretsKeys(config.secretsKey));
  if (config.production) {
    throw new SecretsKeyError(
      "AUTH_SECRETS_KEY is not set. In production it must come from the environment: " +
        "run `npm run keys -- secrets` and put its output in AUTH_SECRETS_KEY.",
    );
  }
  const file = await developmentFile(
    config.devSecretsFile,
    async () => generateSecretsKey(),
    log,
    "secrets key",
    "AUTH_SECRETS_KEY",
  );
  return createSealer(parseSecretsKeys(fs.readFileSync(file, "utf8")));
}

/** A development key file, created exclusively once, so two processes starting together agree. */
async function developmentFile(
  file: string,
  generate: () => Promise<string>,
  log: Logger,
  what: string,
  variable: string,
): Promise<string> {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, await generate(), { flag: "wx", mode: 0o600 });
      log.info(
        { file: path.relative(process.cwd(), file) },
        `generated a development ${what} (git-ignored); set ${variable} in production`,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return file;
}
