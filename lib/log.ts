import pino from "pino";

/**
 * Structured server log. Secrets are removed by configuration: any field with one of these
 * names, at the top level or one or two levels down, is censored, whatever the call site passes.
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
];
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
  'headers["set-cookie"]',
  "req.headers.cookie",
  "req.headers.authorization",
];

export function createLogger(level = "info", destination?: pino.DestinationStream) {
  return pino({ level, base: { app: "auth-starter" }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}

export type Logger = ReturnType<typeof createLogger>;
