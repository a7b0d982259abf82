/**
 * Refresh-token rotation under attack (RFC 9700 §4.14.2, ASVS 5.0 V7.2-7.4): concurrent use of one
 * token inside the grace window never forks the family or signs the user out; a rotated token
 * replayed after the window is theft and ends the whole family; a token from an ended session
 * mints nothing. The same race over real HTTP is in e2e/attacks-http.spec.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getRuntime } from "@/lib/server/runtime";
import { inspectRuntime } from "./db-inspect";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
const GRACE_SECONDS = 2;

beforeAll(async () => {
  await configureTestEnv({ REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s` });
  r = await loadRoutes();
});

let n = 0;
async function signedIn() {
  const jar = new CookieJar();
  expect(
    (
      await call(r.register.POST, "/api/auth/register", {
        body: { email: `refresh-${++n}@example.com`, password: "password-123" },
        jar,
      })
    ).status,
  ).toBe(201);
  return jar;
}

/** The family's live generation and the one before it (the family row holds both). */
async function generations(familyId: string) {
  const db = await inspectRuntime();
  return (await db.rows("refresh_families", {
    columns: ["generation", "previous_generation"],
    where: { id: familyId },
  })) as { generation: number; previous_generation: number | null }[];
}

describe("ten parallel refreshes with one token", () => {
  it("no 5xx, at most one successor token, one family, and the user stays signed in", async () => {
    const jar = await signedIn();
    const familyId = (await call(r.session.GET, "/api/auth/session", { jar })).json.sessionId;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: jar.clone() })),
    );
    expect(results.map((res) => res.status)).toEqual(Array(10).fill(200));
    const minted = results.flatMap((res) =>
      res.setCookies.filter((c) => c.name === "__Secure-refresh" && c.value !== ""),
    );
    expect(minted.length).toBeLessThanOrEqual(1);
    // Nobody was told to forget their cookies.
    expect(results.flatMap((res) => res.setCookies.filter((c) => c.maxAge === 0))).toEqual([]);
    expect(await generations(familyId)).toEqual([{ generation: 1, previous_generation: 0 }]);
    // The winner's successor keeps working, and the session is whole.
    const next = jar.clone();
    if (minted[0]) next.cookies.set("__Secure-refresh", minted[0]);
    next.cookies.set(
      "__Host-access",
      results[0].setCookies.find((c) => c.name === "__Host-access")!,
    );
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: next })).status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar: next })).status).toBe(200);
    expect((await call(r.sessions.GET, "/api/auth/sessions", { jar: next })).json.sessions).toHaveLength(1);
  });
});

describe("replay after the grace window", () => {
  it("a stolen rotated token replayed after the victim used its successor ends the whole family at once: thief and victim both out, reuse recorded", async () => {
    const victim = await signedIn();
    const thief = victim.clone();
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: victim })).status).toBe(200);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: victim })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, GRACE_SECONDS * 1000 + 300));
    const replay = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: thief });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toBe("session_revoked_reuse");
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: victim })).status).toBe(401);
    expect((await call(r.me.GET, "/api/me", { jar: victim })).status).toBe(401);
    const reuse = (await (await getRuntime()).storage.store.recentEvents(100)).filter(
      (e) => e.type === "refresh_reuse_detected",
    );
    expect(reuse.length).toBeGreaterThan(0);
  });

  it("a stolen token replayed before the victim used its successor (indistinguishable from a lost answer) is caught at the victim's next refresh: both out", async () => {
    const victim = await signedIn();
    const thief = victim.clone();
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: victim })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, GRACE_SECONDS * 1000 + 300));
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: thief })).status).toBe(200);
    // The victim's next refresh comes after the access token's lifetime, well past the grace window.
    await new Promise((resolve) => setTimeout(resolve, GRACE_SECONDS * 1000 + 300));
    const caught = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: victim });
    expect(caught.status).toBe(401);
    expect(caught.json.error).toBe("session_revoked_reuse");
    expect((await call(r.me.GET, "/api/me", { jar: thief })).status).toBe(401);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: thief })).status).toBe(401);
  });

  it("a refresh token from a signed-out session mints nothing", async () => {
    const jar = await signedIn();
    const kept = jar.clone();
    await call(r.logout.POST, "/api/auth/logout", { method: "POST", jar });
    const res = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: kept });
    expect(res.status).toBe(401);
    expect(res.setCookies.filter((c) => c.value !== "")).toEqual([]);
  });
});
