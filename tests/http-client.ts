/**
 * Route-handler integration tests without a server: configure the process environment for a
 * fresh database of the engine under test (a temporary SQLite file, or a new PostgreSQL database)
 * and fresh keys, then call the exported handlers with real Requests and a small cookie jar that
 * follows the browser's Path and Max-Age rules.
 */
import path from "node:path";
import { NextRequest } from "next/server";
import { signAccessToken } from "@/lib/auth/access-token";
import type { Amr } from "@/lib/auth/amr";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";
import { inspectRuntime } from "./db-inspect";
import { decodePayload } from "./forge";
import { testDatabaseUrl, tempDatabasePath } from "./helpers";

export const APP = "http://localhost:3000";

export async function configureTestEnv(extra: Record<string, string> = {}) {
  Object.assign(process.env, {
    DATABASE_URL: await testDatabaseUrl(),
    APP_URL: APP,
    AUTH_SIGNING_KEYS: await generateKeySetJson("ES256"),
    AUTH_SECRETS_KEY: generateSecretsKey(),
    AUTH_RATE_LIMIT: "off",
    LOG_LEVEL: "silent",
    // Development mode without SMTP_URL: mails go to an outbox in a temporary folder.
    MAIL_OUTBOX_DIR: path.join(path.dirname(tempDatabasePath()), "outbox"),
    ...extra,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route has its own params type
type Handler = (req: NextRequest, ctx: { params: Promise<any> }) => Promise<Response>;

export type Cookie = { name: string; value: string; path: string; maxAge: number | null; attrs: string };

function parseSetCookie(header: string): Cookie {
  const [pair, ...rest] = header.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const attrs = rest.join("; ");
  const path = /(?:^|; )Path=([^;]*)/i.exec(attrs)?.[1] ?? "/";
  const maxAge = /(?:^|; )Max-Age=(\d+)/i.exec(attrs)?.[1];
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    path,
    maxAge: maxAge === undefined ? null : Number(maxAge),
    attrs,
  };
}

export class CookieJar {
  cookies = new Map<string, Cookie>();
  absorb(res: Response) {
    for (const header of res.headers.getSetCookie()) {
      const c = parseSetCookie(header);
      if (c.maxAge === 0 || c.value === "") this.cookies.delete(c.name);
      else this.cookies.set(c.name, c);
    }
  }
  headerFor(path: string) {
    return [...this.cookies.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`) || c.path === "/")
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }
  get(name: string) {
    return this.cookies.get(name)?.value;
  }
  clone() {
    const jar = new CookieJar();
    jar.cookies = new Map(this.cookies);
    return jar;
  }
}

export type CallOptions = {
  method?: string;
  body?: unknown;
  rawBody?: string;
  jar?: CookieJar;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  origin?: string | null;
};

/** Calls a route handler as the browser would (same-origin by default) and feeds the jar. */
export async function call(handler: Handler, path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers);
  const origin = options.origin === undefined ? APP : options.origin;
  if (origin !== null && !headers.has("origin")) headers.set("origin", origin);
  if (options.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const cookie = options.jar?.headerFor(path);
  if (cookie) headers.set("cookie", cookie);
  headers.set("x-auth-socket-ip", headers.get("x-auth-socket-ip") ?? "198.51.100.10");
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const req = new NextRequest(new URL(path, APP), { method: options.method ?? (body ? "POST" : "GET"), headers, body });
  const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  options.jar?.absorb(res);
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON a route answered
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return {
    status: res.status,
    headers: res.headers,
    json,
    text,
    setCookies: res.headers.getSetCookie().map(parseSetCookie),
  };
}

/** All route handlers, imported after the environment is configured. */
export async function loadRoutes() {
  return {
    register: await import("@/app/api/auth/register/route"),
    login: await import("@/app/api/auth/login/route"),
    refresh: await import("@/app/api/auth/refresh/route"),
    logout: await import("@/app/api/auth/logout/route"),
    logoutAll: await import("@/app/api/auth/logout-all/route"),
    session: await import("@/app/api/auth/session/route"),
    sessions: await import("@/app/api/auth/sessions/route"),
    sessionById: await import("@/app/api/auth/sessions/[id]/route"),
    password: await import("@/app/api/auth/password/route"),
    me: await import("@/app/api/me/route"),
    jwks: await import("@/app/.well-known/jwks.json/route"),
  };
}

/** Everything an attack could change (users, sessions, refresh tokens, deny-list), for "nothing changed" checks. */
export async function databaseSnapshot() {
  return (await inspectRuntime()).snapshot();
}

/**
 * A copy of the jar whose access cookie is the same session's, minted as if its sign-in were
 * `minutesAgo` minutes ago (past STEP_UP_MAX_AGE): for "a recent sign-in is needed" checks.
 */
export async function withStaleSignIn(jar: CookieJar, minutesAgo = 11): Promise<CookieJar> {
  const claims = decodePayload(jar.get("__Host-access")!);
  const stale = await signAccessToken(
    {
      userId: claims.sub as string,
      familyId: claims.sid as string,
      tokenVersion: claims.ver as number,
      role: claims.role as "user" | "admin",
      amr: claims.amr as Amr[],
      authTime: Date.now() - minutesAgo * 60_000,
    },
    await loadKeySet(process.env.AUTH_SIGNING_KEYS!),
    { issuer: APP, audience: APP, accessTokenTtl: 900 },
    Date.now(),
    crypto.randomUUID(),
  );
  const copy = jar.clone();
  copy.cookies.set("__Host-access", { ...copy.cookies.get("__Host-access")!, value: stale.token });
  return copy;
}
