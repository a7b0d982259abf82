import pino from "pino";
import { getConfig } from "@/lib/config";

/**
 * Structured server log, shared by every server-side layer (lib/server, lib/security, lib/mail). Secrets are removed by configuration: any field with one of these
 * names, at the top level or up to three levels down, is censored, whatever the call site passes.
 * (Paths, not free text: never interpolate a secret into a message string.)
 */
const SECRET_FIELDS = [
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "refresh",
  "access",
  "cookie",
  "cookies",
  "authorization",
  "set-cookie",
  "d",
  "secret",
  "privateKey",
  "signingKeys",
  // The socket stamp is a per-process secret (lib/server/socket-ip.ts): whoever knows it can forge the client IP.
  "x-auth-socket-ip",
];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.*.${f}`),
  'headers["set-cookie"]',
  "req.headers.cookie",
  "req.headers.authorization",
];

export function createLogger(level = "info", destination?: pino.DestinationStream, appName = "Auth Starter") {
  return pino({ level, base: { app: appName }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}

export type Logger = ReturnType<typeof createLogger>;

const logKey = Symbol.for("auth-starter.log");
const g = globalThis as typeof globalThis & { [logKey]?: Logger };

/**
 * The process-wide logger (LOG_LEVEL). On globalThis: Next may load this module once per bundle
 * (instrumentation, proxy, route handlers) in one process, and they share one logger.
 */
export function getLogger(): Logger {
  const config = getConfig();
  g[logKey] ??= createLogger(config.logLevel, undefined, config.appName);
  return g[logKey];
}
