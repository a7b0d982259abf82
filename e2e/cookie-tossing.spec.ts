/**
 * Cookie tossing in a real browser (issue 8, item 3): a sibling subdomain plants its own
 * `__Secure-refresh` at `Path=/`. Chromium sends it after the app's own (longer paths first), and
 * the server used to take the last one: the victim's next refresh signed them into the attacker's
 * account, and signing out revoked the attacker's session instead of theirs. Now two different
 * refresh cookies are refused and cleared, signing in removes a planted copy, and the attacker's
 * session is never used nor ended. In-process: tests/attacks-cookie-tossing.test.ts.
 */
import type { Page } from "@playwright/test";
import { register, raw, sameOrigin } from "./attack-helpers";
import { REFRESH_COOKIE, expect, test } from "./fixtures";

async function post(page: Page, path: string) {
  return page.evaluate(async (p) => {
    const res = await fetch(p, { method: "POST" });
    return { status: res.status, text: await res.text() };
  }, path);
}

async function refreshCookiePaths(page: Page) {
  return (await page.context().cookies())
    .filter((c) => c.name === REFRESH_COOKIE)
    .map((c) => c.path)
    .sort();
}

test("a refresh cookie planted at Path=/ is never used: refresh and sign-out are refused, the attacker's account never shows, signing in removes it", async ({
  signedInPage: page,
  user,
  signIn,
}) => {
  const attacker = await register("tosser");
  const plant = () =>
    page.context().addCookies([
      {
        name: REFRESH_COOKIE,
        value: attacker.refresh,
        domain: "127.0.0.1",
        path: "/",
        httpOnly: true,
        secure: true,
        sameSite: "Strict",
      },
    ]);

  await plant();
  expect(await refreshCookiePaths(page)).toEqual(["/", "/api/auth"]);

  // The page's refresh: refused, both copies cleared, nobody signed in as the attacker.
  const refresh = await post(page, "/api/auth/refresh");
  expect(refresh.status).toBe(401);
  expect(JSON.parse(refresh.text)).toMatchObject({ error: "ambiguous_session" });
  expect(refresh.text).not.toContain(attacker.email);
  expect(await refreshCookiePaths(page)).toEqual([]);
  const me = await page.evaluate(async () => {
    const res = await fetch("/api/me");
    return { status: res.status, text: await res.text() };
  });
  expect(me.status).toBe(401);
  expect(me.text).not.toContain(attacker.email);

  // Planted again, then the victim signs in: the sign-in removes the planted copy and refresh is theirs.
  await plant();
  await signIn(page.context(), user);
  expect(await refreshCookiePaths(page)).toEqual(["/api/auth"]);
  const renewed = await post(page, "/api/auth/refresh");
  expect(renewed.status).toBe(200);
  expect(JSON.parse(renewed.text).user.email).toBe(user.email);
  await page.goto("/dashboard");
  await expect(page.getByTestId("user-email")).toHaveText(user.email);

  // Sign-out with a planted copy acts on neither session: refused and cleared.
  await plant();
  const logout = await post(page, "/api/auth/logout");
  expect(logout.status).toBe(401);
  expect(JSON.parse(logout.text)).toMatchObject({ error: "ambiguous_session" });
  expect(await refreshCookiePaths(page)).toEqual([]);

  // The attacker's session was never used and never ended: it still refreshes as the attacker.
  const own = await raw("/api/auth/refresh", {
    method: "POST",
    headers: { ...sameOrigin, cookie: `${REFRESH_COOKIE}=${attacker.refresh}` },
  });
  expect(own.status).toBe(200);
  expect(JSON.parse(own.body).user.email).toBe(attacker.email);
});
