import path from "node:path";
import { GITHUB_CLIENT } from "../tests/providers/github-stand-in";

/**
 * The first of the seven ports the suite listens on (main, short, required, pg, local: base to
 * base + 4; the test OpenID provider and the GitHub stand-in: base + 5 and base + 6).
 * E2E_PORT_BASE moves them all, so two checkouts (or a dev server on 3210) can run side by side.
 */
const E2E_PORT_BASE = portBase(process.env.E2E_PORT_BASE);

function portBase(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 3210;
  const base = Number(value);
  if (!/^\d+$/.test(value.trim()) || base < 1024 || base > 65528)
    throw new Error(`E2E_PORT_BASE must be a port from 1024 to 65528 (seven ports from it are used), got "${value}"`);
  return base;
}

/** The providers' stand-ins that `local` signs in with (tests/providers/, started as Playwright web servers). */
export const PROVIDER_PORTS = { oidc: E2E_PORT_BASE + 5, github: E2E_PORT_BASE + 6 };
export const OIDC_NAME = "Test SSO";

/** The example native app (examples/native-client), as `main` registers it. */
export const NATIVE_CLIENT = { client_id: "example-native", name: "Example native app" };
const NATIVE_CLIENTS = JSON.stringify([{ ...NATIVE_CLIENT, redirect_uris: ["http://127.0.0.1/callback"] }]);
/**
 * The client tests/providers/openid-provider.ts registers (its OIDC_CLIENT; not imported: that
 * module loads oidc-provider, which every spec would then load too).
 */
const OIDC_CLIENT = { id: "auth-starter-tests", secret: "a-test-client-secret-that-is-long-enough" };

/**
 * The servers the Playwright suite runs against: one production build, started five times.
 * `main` has normal lifetimes (EMAIL_VERIFICATION=optional, the default); `short` has lifetimes of
 * seconds so expiry is exercised for real, not mocked; `required` is `main` with
 * EMAIL_VERIFICATION=required; `pg` is `short` on PostgreSQL (a throwaway cluster that
 * e2e/start-server.ts starts and destroys), the others use SQLite. `short` also asks for a recent
 * sign-in after a few seconds (STEP_UP_MAX_AGE), so "Confirm it's you" is exercised for real. `local`
 * is `main` on http://localhost (passkeys need a host name: WebAuthn refuses an IP address as the
 * relying party) with GitHub and an OpenID provider configured against local stand-ins. Each sends
 * its mail over SMTP to its own mailbox (mailboxDir).
 */
export const SERVERS = {
  main: {
    port: E2E_PORT_BASE,
    database: "sqlite",
    env: {
      ACCESS_TOKEN_TTL: "15m",
      REFRESH_TOKEN_TTL: "7d",
      SESSION_MAX_AGE: "30d",
      REFRESH_REUSE_GRACE: "10s",
      // The example app signs in through the browser (e2e/native-browser-sign-in.spec.ts); the
      // password grant stays on here for the specs that call the token endpoint with a password.
      AUTH_NATIVE_CLIENTS: NATIVE_CLIENTS,
      AUTH_PASSWORD_GRANT: "on",
    },
  },
  short: {
    port: E2E_PORT_BASE + 1,
    database: "sqlite",
    env: {
      ACCESS_TOKEN_TTL: "4s",
      REFRESH_TOKEN_TTL: "1h",
      SESSION_MAX_AGE: "1d",
      REFRESH_REUSE_GRACE: "2s",
      STEP_UP_MAX_AGE: "3s",
    },
  },
  required: {
    port: E2E_PORT_BASE + 2,
    database: "sqlite",
    env: {
      ACCESS_TOKEN_TTL: "15m",
      REFRESH_TOKEN_TTL: "7d",
      SESSION_MAX_AGE: "30d",
      REFRESH_REUSE_GRACE: "10s",
      EMAIL_VERIFICATION: "required",
    },
  },
  pg: {
    port: E2E_PORT_BASE + 3,
    database: "postgres",
    env: {
      ACCESS_TOKEN_TTL: "4s",
      REFRESH_TOKEN_TTL: "1h",
      SESSION_MAX_AGE: "1d",
      REFRESH_REUSE_GRACE: "2s",
    },
  },
  local: {
    port: E2E_PORT_BASE + 4,
    host: "localhost",
    database: "sqlite",
    env: {
      ACCESS_TOKEN_TTL: "15m",
      REFRESH_TOKEN_TTL: "7d",
      SESSION_MAX_AGE: "30d",
      REFRESH_REUSE_GRACE: "10s",
      AUTH_OIDC_ISSUER: `http://127.0.0.1:${PROVIDER_PORTS.oidc}`,
      AUTH_OIDC_ID: OIDC_CLIENT.id,
      AUTH_OIDC_SECRET: OIDC_CLIENT.secret,
      AUTH_OIDC_NAME: OIDC_NAME,
      AUTH_GITHUB_ID: GITHUB_CLIENT.id,
      AUTH_GITHUB_SECRET: GITHUB_CLIENT.secret,
      AUTH_GITHUB_URL: `http://127.0.0.1:${PROVIDER_PORTS.github}`,
      AUTH_GITHUB_API_URL: `http://127.0.0.1:${PROVIDER_PORTS.github}`,
    },
  },
} as const;

export type ServerName = keyof typeof SERVERS;

export function serverUrl(name: ServerName): string {
  const profile: { port: number; host?: string } = SERVERS[name];
  return `http://${profile.host ?? "127.0.0.1"}:${profile.port}`;
}

/** Where Playwright checks that a server is up (always the loopback address it listens on). */
export function readyUrl(name: ServerName): string {
  return `http://127.0.0.1:${SERVERS[name].port}/api/auth/session`;
}

/**
 * Where a server's SMTP sink writes what it receives, one JSON file per mail (cleared when the
 * server starts; Playwright clears test-results/ before it starts the servers anyway).
 */
export function mailboxDir(name: ServerName): string {
  return path.join(__dirname, "..", "test-results", "mailbox", name);
}

/** Limits stay on (their code runs) but high enough for a suite that signs up many users from one IP. */
export const E2E_LIMITS = {
  RATE_LIMIT_LOGIN_PER_IP: "10000",
  RATE_LIMIT_REGISTER_PER_IP: "10000",
  RATE_LIMIT_REFRESH_PER_IP: "10000",
  RATE_LIMIT_LOGIN_PER_ACCOUNT: "50",
  // Recovery mails per IP (every test comes from 127.0.0.1); per address stays at its default of 3
  // an hour, so the 429 a person would meet is real.
  RATE_LIMIT_RECOVERY_PER_IP: "10000",
};

/**
 * The administrator e2e/start-server.ts seeds into each fresh test database (there is no admin
 * sign-up, and the app has no back door for one). Override with E2E_ADMIN_EMAIL and
 * E2E_ADMIN_PASSWORD; these variables are read by the e2e tooling only, never by the app.
 */
export const E2E_ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@e2e.example.com",
  password: process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password",
  name: "E2E Admin",
};
