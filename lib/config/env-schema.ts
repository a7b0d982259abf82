import { z } from "zod";
import { parseDuration } from "@/lib/config/duration";

/** The environment variables and how each is read (lib/config parses them into a Config). */
const duration = (name: string, fallback: string, min = 0) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        const seconds = parseDuration(value);
        if (seconds < min) {
          ctx.addIssue({ code: "custom", message: `${name} must be at least ${min}s, got "${value}"` });
          return z.NEVER;
        }
        return seconds;
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `${name}: ${(error as Error).message}` });
        return z.NEVER;
      }
    });

const positiveInt = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
        ctx.addIssue({ code: "custom", message: `${name} must be a whole number of at least 1, got "${value}"` });
        return z.NEVER;
      }
      return n;
    });

const url = (name: string) =>
  z.string().transform((value, ctx) => {
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
      return parsed;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `${name} must be an absolute http(s) URL such as https://app.example.com, got "${value}"`,
      });
      return z.NEVER;
    }
  });

const DATABASE_URL_FORMS =
  'a SQLite file URL such as "file:.data/app.db" or "file:/var/lib/app/app.db", or a PostgreSQL URL such as ' +
  '"postgres://user:password@db.example.com:5432/app" (postgres:// or postgresql://)';

/** DATABASE_URL: its value is never echoed in a message (a PostgreSQL URL may hold a password). */
const databaseUrl = z
  .string()
  .default("file:.data/app.db")
  .transform((value, ctx) => {
    if (value.startsWith("file:") && value.length > "file:".length)
      return { engine: "sqlite" as const, file: value.slice(5) };
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1].toLowerCase();
    if (scheme === "postgres" || scheme === "postgresql") {
      try {
        const url = new URL(value);
        // A host, or a socket directory in ?host=/run/postgresql
        if (url.host || url.searchParams.has("host")) return { engine: "postgres" as const, url: value };
      } catch {
        /* reported below */
      }
      ctx.addIssue({
        code: "custom",
        message: `DATABASE_URL is not a valid PostgreSQL URL; expected ${DATABASE_URL_FORMS} (the value is not shown: it may hold a password)`,
      });
      return z.NEVER;
    }
    const got = scheme ? `a "${scheme}:" URL` : "a value without a scheme";
    ctx.addIssue({ code: "custom", message: `DATABASE_URL must be ${DATABASE_URL_FORMS}; got ${got}` });
    return z.NEVER;
  });

export const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: z
    .string()
    .default("10")
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 100, {
      message: "DATABASE_POOL_SIZE must be a whole number from 1 to 100 (connections per instance, PostgreSQL only)",
    })
    .transform(Number),
  // Its default depends on the mode and the dev server's port: lib/config resolveAppUrl.
  APP_URL: url("APP_URL").optional(),
  AUTH_ISSUER: z.string().min(1, "AUTH_ISSUER must not be empty").optional(),
  AUTH_AUDIENCE: z.string().min(1, "AUTH_AUDIENCE must not be empty").optional(),
  AUTH_SIGNING_KEYS: z.string().optional(),
  AUTH_DEV_KEYS_FILE: z.string().default(".data/keys/dev-signing-keys.json"),
  /** Checked by lib/auth/sealed.ts when the server starts (a bad key names the variable there). */
  AUTH_SECRETS_KEY: z.string().optional(),
  AUTH_DEV_SECRETS_FILE: z.string().default(".data/keys/dev-secrets-key"),
  ACCESS_TOKEN_TTL: duration("ACCESS_TOKEN_TTL", "15m", 1),
  REFRESH_TOKEN_TTL: duration("REFRESH_TOKEN_TTL", "7d", 1),
  SESSION_MAX_AGE: duration("SESSION_MAX_AGE", "30d", 1),
  REFRESH_REUSE_GRACE: duration("REFRESH_REUSE_GRACE", "10s", 0),
  AUTH_RATE_LIMIT: z.enum(["on", "off"], { message: 'AUTH_RATE_LIMIT must be "on" or "off"' }).default("on"),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: positiveInt("RATE_LIMIT_LOGIN_PER_ACCOUNT", 5),
  RATE_LIMIT_LOGIN_PER_IP: positiveInt("RATE_LIMIT_LOGIN_PER_IP", 30),
  RATE_LIMIT_REGISTER_PER_IP: positiveInt("RATE_LIMIT_REGISTER_PER_IP", 10),
  RATE_LIMIT_REFRESH_PER_IP: positiveInt("RATE_LIMIT_REFRESH_PER_IP", 120),
  RATE_LIMIT_RECOVERY_PER_ADDRESS: positiveInt("RATE_LIMIT_RECOVERY_PER_ADDRESS", 3),
  RATE_LIMIT_RECOVERY_PER_IP: positiveInt("RATE_LIMIT_RECOVERY_PER_IP", 10),
  RATE_LIMIT_MAIL_PER_ADDRESS: positiveInt("RATE_LIMIT_MAIL_PER_ADDRESS", 5),
  RATE_LIMIT_WINDOW: duration("RATE_LIMIT_WINDOW", "15m", 1),
  SMTP_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^smtps?:\/\/[^\s]+$/.test(v), {
      message: "SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465",
    }),
  APP_NAME: z
    .string()
    .trim()
    .min(1, "APP_NAME must not be empty")
    .max(60, "APP_NAME must be at most 60 characters")
    .refine((v) => !/[\p{Cc}]/u.test(v), "APP_NAME must not contain control characters")
    .default("Auth Starter"),
  /** Default: APP_NAME <no-reply@localhost> (lib/config/index.ts). */
  MAIL_FROM: z.string().min(3, "MAIL_FROM must be an address such as Acme <no-reply@example.com>").optional(),
  MAIL_OUTBOX_DIR: z.string().default(".data/outbox"),
  EMAIL_VERIFICATION: z
    .enum(["optional", "required", "off"], { message: 'EMAIL_VERIFICATION must be "optional", "required" or "off"' })
    .default("optional"),
  PASSWORD_RESET_TTL: duration("PASSWORD_RESET_TTL", "30m", 1),
  EMAIL_VERIFICATION_TTL: duration("EMAIL_VERIFICATION_TTL", "24h", 1),
  TRUST_PROXY: z
    .string()
    .default("0")
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) <= 10, {
      message: "TRUST_PROXY must be the number of reverse proxies in front of the app (0 to 10)",
    })
    .transform(Number),
  CORS_ORIGINS: z.string().default(""),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  AUDIT_RETENTION: duration("AUDIT_RETENTION", "90d", 3600),
  STEP_UP_MAX_AGE: duration("STEP_UP_MAX_AGE", "10m", 1),
  // Sign in with a provider: each exists only when its variables are set (lib/config/providers.ts).
  AUTH_GITHUB_ID: z.string().trim().optional(),
  AUTH_GITHUB_SECRET: z.string().trim().optional(),
  AUTH_GITHUB_URL: z.string().trim().optional(),
  AUTH_GITHUB_API_URL: z.string().trim().optional(),
  AUTH_GOOGLE_ID: z.string().trim().optional(),
  AUTH_GOOGLE_SECRET: z.string().trim().optional(),
  AUTH_OIDC_ISSUER: z.string().trim().optional(),
  AUTH_OIDC_ID: z.string().trim().optional(),
  AUTH_OIDC_SECRET: z.string().trim().optional(),
  AUTH_OIDC_NAME: z.string().trim().max(40, "AUTH_OIDC_NAME must be at most 40 characters").optional(),
  /** Default: APP_URL's host name (lib/config/index.ts). */
  WEBAUTHN_RP_ID: z
    .string()
    .trim()
    .refine((v) => /^[a-z0-9.-]+$/i.test(v) && !v.startsWith(".") && !v.endsWith("."), {
      message: "WEBAUTHN_RP_ID must be a host name such as example.com (no scheme, port or path)",
    })
    .optional(),
  /** Default: APP_NAME. */
  WEBAUTHN_RP_NAME: z.string().trim().min(1).max(60).optional(),
  /** Native apps signing in through the browser (lib/config/native-clients.ts). */
  AUTH_NATIVE_CLIENTS: z.string().optional(),
  /** The token endpoint's password grant: off unless a first-party tool that cannot open a browser needs it. */
  AUTH_PASSWORD_GRANT: z.enum(["on", "off"], { message: 'AUTH_PASSWORD_GRANT must be "on" or "off"' }).default("off"),
});
