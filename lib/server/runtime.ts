import { openStorage, type Storage } from "@/db";
import { createAuth, type Auth } from "@/lib/auth";
import { systemClock, systemRandom, type Clock } from "@/lib/auth/clock";
import { getConfig, type Config } from "@/lib/config";
import type { KeySet } from "@/lib/auth/keys";
import { getLogger, type Logger } from "@/lib/shared/log";
import { createRateLimits, type RateLimits } from "@/lib/security/rate-limits";
import type { Sealer } from "@/lib/auth/sealed";
import { getKeySet, resolveSealer } from "@/lib/server/keys";
import { createMailSender, outboxTransport, smtpTransport, type MailSender } from "@/lib/mail/sender";

/**
 * The process-wide wiring of the auth core: configuration, database, keys, logger, limits.
 * Kept on globalThis because Next may load this module once per bundle (instrumentation, proxy,
 * route handlers) in one process; they must share one database handle and one key set.
 */
export type Runtime = {
  config: Config;
  storage: Storage;
  keys: KeySet;
  auth: Auth;
  log: Logger;
  limits: RateLimits;
  clock: Clock;
  /** Sends the mail queue; started with the server (lib/server/startup.ts). */
  mailSender: MailSender;
  /** AUTH_SECRETS_KEY's sealer (the core's too): what the server keeps in a cookie it must trust. */
  sealer: Sealer;
};

const globalKey = Symbol.for("auth-starter.runtime");
const g = globalThis as typeof globalThis & { [globalKey]?: Promise<Runtime> };

async function build(): Promise<Runtime> {
  const config = getConfig();
  const log = getLogger();
  const keys = await getKeySet();
  const storage = await openStorage(config.database, {
    server: true,
    // Until the feed is back every full check reads the database (it fails closed): worth a warning.
    onTrouble: (message) => log.warn({ event: "revocation_feed_down" }, message),
  });
  const { store } = storage;
  const sealer = await resolveSealer(config, log);
  const { smtpUrl, from, outboxDir } = config.mail;
  const mailSender = createMailSender({
    store,
    sealer,
    transport: smtpUrl ? smtpTransport(smtpUrl, from) : outboxTransport(outboxDir, from, log),
    appName: config.appName,
    log,
  });
  const auth = createAuth({
    store,
    sealer,
    onMailQueued: mailSender.nudge,
    keys,
    config,
    clock: systemClock,
    random: systemRandom,
    onSecurityEvent: (type, detail) => log.warn({ event: type, ...detail }, "security event"),
  });
  const limits = createRateLimits(storage.createLimiter, config, log);
  return { config, storage, keys, auth, log, limits, clock: systemClock, mailSender, sealer };
}

export function getRuntime(): Promise<Runtime> {
  g[globalKey] ??= build().catch((error) => {
    g[globalKey] = undefined;
    throw error;
  });
  return g[globalKey];
}
