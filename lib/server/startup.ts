import { ConfigError, devPortMismatch } from "@/lib/config";
import { KeySetError } from "@/lib/auth/keys";
import { SecretsKeyError } from "@/lib/auth/sealed";
import { getLogger } from "@/lib/shared/log";
import { getRuntime } from "./runtime";
import { printSeededAccounts, seedDevelopmentAccounts } from "./seed";
import { startPruning } from "@/lib/server/pruning";
import { installRequestGuard } from "./request-guard";
import { installSocketIpHeader } from "./socket-ip";

let backgroundStarted = false;

/**
 * Runs once when the server starts (instrumentation.ts): parses configuration, loads or
 * generates the keys, opens the database and applies pending migrations, seeds development
 * accounts. A configuration or key problem stops the process with a message that names it.
 */
export async function startServer() {
  installSocketIpHeader();
  try {
    const rt = await getRuntime();
    const { config, log } = rt;
    installRequestGuard({ production: config.production });
    if (config.production) {
      if (config.accessTokenTtl < 60 || config.refreshTokenTtl < 300) {
        log.warn(
          { accessTokenTtl: config.accessTokenTtl, refreshTokenTtl: config.refreshTokenTtl },
          "very short token lifetimes in production",
        );
      }
      if (config.appUrl.protocol !== "https:")
        log.warn("APP_URL is not https: Secure cookies only work on https (or localhost)");
    } else {
      const mismatch = devPortMismatch(config.appUrl, process.env);
      if (mismatch) log.warn(mismatch);
      const seeded = await seedDevelopmentAccounts(rt.storage.store);
      if (seeded) printSeededAccounts(seeded, config.appOrigin);
    }
    if (!backgroundStarted) {
      backgroundStarted = true;
      startPruning(rt);
      rt.mailSender.start();
    }
    log.info({ database: rt.storage.engine, issuer: config.issuer }, "auth ready");
  } catch (error) {
    if (error instanceof ConfigError || error instanceof KeySetError || error instanceof SecretsKeyError) {
      console.error(`\n${error.message}\n\nThe server cannot start until this is fixed (see .env.example).\n`);
      process.exit(1);
    }
    getLogger().error({ err: error }, "start-up failed");
    throw error;
  }
}
