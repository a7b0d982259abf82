/**
 * The HTTP cases of `npm run bench`: what each row measures (LABELS), the set-up and sanity
 * checks that make sure every case answers as it should, and the steps a round runs.
 */
import { ACCESS_COOKIE, get, load, login, post, refreshLoad, type LoadResult } from "../lib/load";
import type { Server } from "../lib/server";
import { CONNECTIONS, EMAIL, LIGHT, PASSWORD, STORM_CONNECTIONS, log, sleep } from "../lib/config";
import { REFRESH_COOKIE } from "@/lib/server/cookies";

export type CaseKey =
  | "pageSignedOut"
  | "pageUnguarded"
  | "pageGuarded"
  | "me"
  | "trivial"
  | "trivialPost"
  | "refresh"
  | "meIdle"
  | "trivialIdle"
  | "meStorm"
  | "trivialStorm"
  | "loginStorm"
  | "mePg"
  | "trivialPg"
  | "refreshPg"
  | "loginStormPg";

export const LABELS: Record<CaseKey, string> = {
  pageSignedOut: "page /bench, signed out (no auth work)",
  pageUnguarded: "page /bench (not a protected path)",
  pageGuarded: "page /account/bench, proxy guard on",
  me: "GET /api/me (full check: verify + DB)",
  trivial: "GET /api/bench/trivial (baseline handler)",
  trivialPost: "POST /api/bench/trivial (two cookies, no auth work)",
  refresh: "POST /api/auth/refresh (rotation)",
  meIdle: `GET /api/me light (${LIGHT.meConnections} conn, ${LIGHT.meRate}/s), idle`,
  meStorm: `GET /api/me light, during login storm`,
  trivialIdle: `GET /api/bench/trivial light (${LIGHT.trivialConnections} conn, ${LIGHT.trivialRate}/s), idle`,
  trivialStorm: `GET /api/bench/trivial light, during storm`,
  loginStorm: `POST /api/auth/login storm (${STORM_CONNECTIONS} conn)`,
  mePg: "[PostgreSQL] GET /api/me",
  trivialPg: "[PostgreSQL] GET /api/bench/trivial",
  refreshPg: "[PostgreSQL] POST /api/auth/refresh",
  loginStormPg: `[PostgreSQL] POST /api/auth/login storm (${STORM_CONNECTIONS} conn)`,
};

export type Step = { name: string; run: (seconds: number) => Promise<Partial<Record<CaseKey, LoadResult>>> };

/**
 * Registers the bench account, signs in and checks that every case answers as it should (a
 * benchmark of failing requests measures nothing). Returns the access cookie the cases send.
 */
export async function setUpAndCheck(A: Server): Promise<string> {
  const reg = await post(A.origin, "/api/auth/register", { email: EMAIL, password: PASSWORD, name: "Bench" });
  if (reg.status !== 200 && reg.status !== 201)
    throw new Error(`register failed: ${reg.status} ${reg.text.slice(0, 200)}`);
  const session = await login(A.origin, EMAIL, PASSWORD);
  const cookie = `${ACCESS_COOKIE}=${session.access}`;
  // The guard runs on /account/bench (no cookie: a redirect to /login) and not on /bench (no
  // cookie: the page); with the cookie both render.
  const checks: [string, () => Promise<{ status: number }>, number][] = [
    ["/account/bench without a cookie (guarded): redirect", () => get(`${A.origin}/account/bench`), 307],
    ["/account/bench with the cookie", () => get(`${A.origin}/account/bench`, cookie), 200],
    ["/bench without a cookie (not guarded): renders", () => get(`${A.origin}/bench`), 200],
    ["/bench with the cookie", () => get(`${A.origin}/bench`, cookie), 200],
    ["/api/me with the cookie", () => get(`${A.origin}/api/me`, cookie), 200],
    ["/api/bench/trivial", () => get(`${A.origin}/api/bench/trivial`, cookie), 200],
  ];
  for (const [what, check, expected] of checks) {
    const { status } = await check();
    if (status !== expected) throw new Error(`sanity check failed: ${what}: got ${status}, expected ${expected}`);
  }
  const rotatedOnce = await post(A.origin, "/api/auth/refresh", undefined, `${REFRESH_COOKIE}=${session.refresh}`);
  if (rotatedOnce.status !== 200 || !rotatedOnce.cookies[REFRESH_COOKIE])
    throw new Error(`sanity check failed: refresh ${rotatedOnce.status}`);
  log("sanity checks passed (the guard runs for /account/bench and not for /bench, every case answers 200)");
  return cookie;
}

/** A closed-loop load (CONNECTIONS connections, as fast as the server answers) on one path. */
export function closedLoad(server: Server, path: string, seconds: number, cookie: string) {
  return load({
    url: server.origin + path,
    connections: CONNECTIONS,
    seconds,
    headers: cookie ? { cookie } : {},
    cpuMs: server.cpuMs,
  });
}

const loginStorm = (server: Server, seconds: number) =>
  load({
    url: `${server.origin}/api/auth/login`,
    method: "POST",
    connections: STORM_CONNECTIONS,
    seconds,
    headers: { origin: server.origin, "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    cpuMs: server.cpuMs, // per request: the whole server (logins and the light loads) / logins
  });

const familiesOn = async (server: Server) => {
  const sessions = await Promise.all(Array.from({ length: CONNECTIONS }, () => login(server.origin, EMAIL, PASSWORD)));
  await sleep(300);
  return sessions.map((s) => ({ token: s.refresh }));
};

/** The steps on the PostgreSQL server: the database-bound cases, next to SQLite's. */
export function postgresSteps(P: Server, cookie: string): Step[] {
  const closed = (path: string, seconds: number) => closedLoad(P, path, seconds, cookie);
  return [
    { name: "mePg", run: async (s) => ({ mePg: await closed("/api/me", s) }) },
    { name: "trivialPg", run: async (s) => ({ trivialPg: await closed("/api/bench/trivial", s) }) },
    {
      name: "refreshPg",
      run: async (s) => ({ refreshPg: await refreshLoad(P.origin, await familiesOn(P), s, P.cpuMs) }),
    },
    {
      name: "stormPg",
      run: async (s) => {
        const loginStormPg = await loginStorm(P, s);
        await sleep(1500);
        return { loginStormPg };
      },
    },
  ];
}

/** Every HTTP step, in the order of the first round. */
export function httpSteps(A: Server, cookie: string): Step[] {
  const headers = { cookie };
  const closed = (server: Server, path: string, seconds: number) => closedLoad(server, path, seconds, cookie);
  const lightMe = (seconds: number) =>
    load({ url: `${A.origin}/api/me`, connections: LIGHT.meConnections, overallRate: LIGHT.meRate, seconds, headers });
  const lightTrivial = (seconds: number) =>
    load({
      url: `${A.origin}/api/bench/trivial`,
      connections: LIGHT.trivialConnections,
      overallRate: LIGHT.trivialRate,
      seconds,
      headers,
    });
  return [
    { name: "pageSignedOut", run: async (s) => ({ pageSignedOut: await closedLoad(A, "/bench", s, "") }) },
    { name: "pageUnguarded", run: async (s) => ({ pageUnguarded: await closed(A, "/bench", s) }) },
    { name: "pageGuarded", run: async (s) => ({ pageGuarded: await closed(A, "/account/bench", s) }) },
    { name: "me", run: async (s) => ({ me: await closed(A, "/api/me", s) }) },
    { name: "trivial", run: async (s) => ({ trivial: await closed(A, "/api/bench/trivial", s) }) },
    {
      // What Next costs for a POST answered like a refresh (cookie in, JSON and two cookies out).
      name: "trivialPost",
      run: async (s) => ({
        trivialPost: await load({
          url: `${A.origin}/api/bench/trivial`,
          method: "POST",
          connections: CONNECTIONS,
          seconds: s,
          headers: { ...headers, origin: A.origin },
          cpuMs: A.cpuMs,
        }),
      }),
    },
    { name: "refresh", run: async (s) => ({ refresh: await refreshLoad(A.origin, await familiesOn(A), s, A.cpuMs) }) },
    {
      name: "idle",
      run: async (s) => {
        const [meIdle, trivialIdle] = await Promise.all([lightMe(s), lightTrivial(s)]);
        return { meIdle, trivialIdle };
      },
    },
    {
      name: "storm",
      run: async (s) => {
        const [loginStormResult, meStorm, trivialStorm] = await Promise.all([
          loginStorm(A, s + 1),
          // Start the light load once the storm is under way, and stop it before the storm ends.
          sleep(500).then(() => lightMe(s)),
          sleep(500).then(() => lightTrivial(s)),
        ]);
        await sleep(1500); // logins still queued for argon2 drain before the next case
        return { loginStorm: loginStormResult, meStorm, trivialStorm };
      },
    },
  ];
}
