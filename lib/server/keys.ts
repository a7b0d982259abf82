import fs from "node:fs";
import path from "node:path";
import type { Config } from "@/lib/config";
import { KeySetError, generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import type { Logger } from "@/lib/server/log";

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
  const file = config.devKeysFile;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, await generateKeySetJson("ES256"), { flag: "wx", mode: 0o600 });
      log.info(
        { file: path.relative(process.cwd(), file) },
        "generated a development signing key (git-ignored); set AUTH_SIGNING_KEYS in production",
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return loadKeySet(fs.readFileSync(file, "utf8"));
}
