import path from "node:path";
import { envSchema } from "@/lib/config/env-schema";
import { parseNativeClients, type NativeClient } from "@/lib/config/native-clients";
import { parseProviders, type ProviderConfig } from "@/lib/config/providers";

/**
 * All configuration, parsed once from the environment. A bad value stops start-up with a
 * message naming the variable and what it expects (see ConfigError).
 */
export type Config = {
  production: boolean;
  /**
   * The storage engine DATABASE_URL names: a `file:` path (made absolute) is SQLite; a
   * `postgres://` or `postgresql://` URL is PostgreSQL with a pool of DATABASE_POOL_SIZE
   * connections. The URL may hold a password: never log it.
   */
  database: { engine: "sqlite"; path: string } | { engine: "postgres"; url: string; poolSize: number };
  /** The product's name (APP_NAME): page titles, the header, mails, log lines. */
  appName: string;
  /** APP_URL, or its default (resolveAppUrl): cookies, redirects, mailed links and iss/aud all follow it. */
  appUrl: URL;
  /** `appUrl`'s origin, e.g. http://localhost:3000: the only Origin accepted on state-changing requests. */
  appOrigin: string;
  issuer: string;
  audience: string;
  /** Raw JWK Set JSON; undefined means "generate one in development". */
  signingKeys: string | undefined;
  /** Where a development key set is generated (git-ignored). */
  devKeysFile: string;
  /** AUTH_SECRETS_KEY (raw; parsed at start-up), or undefined: generated in development. */
  secretsKey: string | undefined;
  /** Where a development secrets key is generated (git-ignored). */
  devSecretsFile: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionMaxAge: number;
  refreshReuseGrace: number;
  rateLimit: {
    enabled: boolean;
    loginPerAccount: number;
    loginPerIp: number;
    registerPerIp: number;
    refreshPerIp: number;
    /** Recovery mails (reset links, verification resends) per address per hour, and per IP per window. */
    recoveryPerAddress: number;
    recoveryPerIp: number;
    /**
     * Every mail a request can cause, per address per hour (registration notices and links,
     * resets, resends): past it, further mails are dropped silently. Notices of a change made
     * with a credential are always sent.
     */
    mailPerAddress: number;
    /** The window the per-IP counters span, seconds. */
    window: number;
  };
  mail: {
    /** smtp(s)://user:pass@host:port; undefined in development means the local outbox. */
    smtpUrl: string | undefined;
    from: string;
    /** Where the development outbox is written (git-ignored). */
    outboxDir: string;
  };
  /** optional: usable at once, a banner asks to verify; required: no session before; off. */
  emailVerification: "optional" | "required" | "off";
  /** Lifetimes of emailed links, seconds. */
  passwordResetTtl: number;
  emailVerificationTtl: number;
  /** How many reverse proxies in front of the app to trust for X-Forwarded-For; 0 ignores it. */
  trustProxy: number;
  /** Origins allowed to make credentialed cross-origin requests (CORS); empty = no CORS headers. */
  corsOrigins: string[];
  logLevel: string;
  /** How long audit events are kept before pruning deletes them, seconds. */
  auditRetention: number;
  /** How recent an authentication sensitive actions need (STEP_UP_MAX_AGE), seconds. */
  stepUpMaxAge: number;
  /** WebAuthn: the relying party id (a host name) and the name authenticators show. */
  webauthn: { rpId: string; rpName: string };
  /** The providers configured for "Continue with …" (lib/config/providers.ts); none by default. */
  providers: ProviderConfig[];
  /** Native apps that sign in through the browser (AUTH_NATIVE_CLIENTS); none by default. */
  nativeClients: NativeClient[];
  /** AUTH_PASSWORD_GRANT=on: the token endpoint takes passwords (off by default: RFC 9700 §2.4). */
  passwordGrant: boolean;
};

/** The example app, registered under `npm run dev` only (a loopback redirect, any port). */
const DEVELOPMENT_NATIVE_CLIENTS: NativeClient[] = [
  {
    clientId: "example-native",
    name: "Example native app",
    redirectUris: [{ uri: "http://127.0.0.1/callback", kind: "loopback" }],
  },
];

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Every environment variable the app reads (the README and .env.example document each one). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape).filter((name) => name !== "NODE_ENV");

function emptyToUndefined(env: Record<string, string | undefined>) {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) out[key] = value === "" ? undefined : value;
  return out;
}

/**
 * The app's origin when APP_URL is not set. Under `next dev` (NODE_ENV=development) it is
 * http://localhost plus the port the dev server really listens on: Next takes `-p` or PORT, or
 * moves on from a busy 3000 to the next free port, and writes the port it got to process.env.PORT
 * before any app code runs. So `npm run dev` on 3001 signs in, and its banner, redirects and mailed
 * links say 3001. Anywhere else (production included) nothing is guessed: http://localhost:3000,
 * and a deployment sets APP_URL.
 */
const DEFAULT_APP_URL = "http://localhost:3000";

function resolveAppUrl(appUrl: URL | undefined, env: Record<string, string | undefined>): URL {
  if (appUrl) return appUrl;
  const port = env.PORT?.trim();
  if (env.NODE_ENV === "development" && port && /^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)
    return new URL(`http://localhost:${Number(port)}`);
  return new URL(DEFAULT_APP_URL);
}

/**
 * Under `next dev` with APP_URL set to a local address on another port than the one the server got
 * (a copied .env with :3000 while 3000 was busy): sign-in from the address Next prints would be
 * refused as cross-site. The start-up names the mismatch instead of leaving a puzzle.
 */
export function devPortMismatch(appUrl: URL, env: Record<string, string | undefined>): string | null {
  const listening = env.PORT?.trim();
  if (env.NODE_ENV !== "development" || !listening) return null;
  if (!["localhost", "127.0.0.1", "[::1]"].includes(appUrl.hostname)) return null;
  const port = appUrl.port || (appUrl.protocol === "https:" ? "443" : "80");
  if (port === listening) return null;
  return `APP_URL is ${appUrl.origin} but the dev server listens on port ${listening}: signing in at http://localhost:${listening} is refused as cross-site. Unset APP_URL (development then follows the dev server's port) or make the ports agree.`;
}

/** Pure: turns an environment into a Config, or throws ConfigError listing every problem. */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(emptyToUndefined(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "");
        return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.SESSION_MAX_AGE < e.ACCESS_TOKEN_TTL) {
    problems.push("SESSION_MAX_AGE must be at least ACCESS_TOKEN_TTL");
  }
  if (e.NODE_ENV === "production" && !e.SMTP_URL) {
    problems.push(
      "SMTP_URL is required in production (password reset and verification mails): smtp://user:pass@host:587 or smtps://user:pass@host:465",
    );
  }
  const corsOrigins = e.CORS_ORIGINS.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    try {
      // Exact origins only: a wildcard would never match (the check is exact) and suggests it does.
      if (new URL(origin).origin !== origin || origin.includes("*")) throw new Error();
    } catch {
      problems.push(
        `CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com, got "${origin}"`,
      );
    }
  }
  const providers = parseProviders(e, problems);
  // Under `npm run dev` with none configured, the example app (examples/native-client) is known, so
  // a clean clone's demo signs in through the browser; a deployment lists its own apps.
  const nativeClients =
    e.AUTH_NATIVE_CLIENTS === undefined && e.NODE_ENV === "development"
      ? DEVELOPMENT_NATIVE_CLIENTS
      : parseNativeClients(e.AUTH_NATIVE_CLIENTS, problems);
  if (problems.length) throw new ConfigError(problems);

  const appUrl = resolveAppUrl(e.APP_URL, env);
  const appOrigin = appUrl.origin;
  // A browser refuses a passkey whose RP ID is not the page's host or a parent domain of it.
  const rpId = e.WEBAUTHN_RP_ID?.toLowerCase();
  if (rpId && appUrl.hostname !== rpId && !appUrl.hostname.endsWith(`.${rpId}`)) {
    throw new ConfigError([
      `WEBAUTHN_RP_ID must be APP_URL's host name (${appUrl.hostname}) or a parent domain of it, got "${rpId}"`,
    ]);
  }
  const db = e.DATABASE_URL;
  return {
    production: e.NODE_ENV === "production",
    database:
      db.engine === "sqlite"
        ? { engine: "sqlite", path: path.resolve(cwd, db.file) }
        : { engine: "postgres", url: db.url, poolSize: e.DATABASE_POOL_SIZE },
    appName: e.APP_NAME,
    appUrl,
    appOrigin,
    issuer: e.AUTH_ISSUER ?? appOrigin,
    audience: e.AUTH_AUDIENCE ?? appOrigin,
    signingKeys: e.AUTH_SIGNING_KEYS,
    devKeysFile: path.resolve(cwd, e.AUTH_DEV_KEYS_FILE),
    secretsKey: e.AUTH_SECRETS_KEY,
    devSecretsFile: path.resolve(cwd, e.AUTH_DEV_SECRETS_FILE),
    accessTokenTtl: e.ACCESS_TOKEN_TTL,
    refreshTokenTtl: e.REFRESH_TOKEN_TTL,
    sessionMaxAge: e.SESSION_MAX_AGE,
    refreshReuseGrace: e.REFRESH_REUSE_GRACE,
    rateLimit: {
      enabled: e.AUTH_RATE_LIMIT === "on",
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      registerPerIp: e.RATE_LIMIT_REGISTER_PER_IP,
      refreshPerIp: e.RATE_LIMIT_REFRESH_PER_IP,
      recoveryPerAddress: e.RATE_LIMIT_RECOVERY_PER_ADDRESS,
      recoveryPerIp: e.RATE_LIMIT_RECOVERY_PER_IP,
      mailPerAddress: e.RATE_LIMIT_MAIL_PER_ADDRESS,
      window: e.RATE_LIMIT_WINDOW,
    },
    trustProxy: e.TRUST_PROXY,
    corsOrigins,
    logLevel: e.LOG_LEVEL,
    auditRetention: e.AUDIT_RETENTION,
    stepUpMaxAge: e.STEP_UP_MAX_AGE,
    // Origins come from APP_URL only, never from a request's Host or X-Forwarded-Host.
    webauthn: { rpId: rpId ?? appUrl.hostname, rpName: e.WEBAUTHN_RP_NAME ?? e.APP_NAME },
    providers,
    nativeClients,
    passwordGrant: e.AUTH_PASSWORD_GRANT === "on",
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM ?? `${e.APP_NAME} <no-reply@localhost>`,
      outboxDir: path.resolve(cwd, e.MAIL_OUTBOX_DIR),
    },
    emailVerification: e.EMAIL_VERIFICATION,
    passwordResetTtl: e.PASSWORD_RESET_TTL,
    emailVerificationTtl: e.EMAIL_VERIFICATION_TTL,
  };
}

let cached: Config | undefined;

/** The process-wide configuration, parsed on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
