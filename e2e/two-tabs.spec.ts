import { ACCESS_COOKIE, apiMeStatus, expect, nextRefresh, test, type Page } from "./fixtures";

/**
 * Both tabs lose the access cookie at once (it is shared), then both load a protected page at
 * once: each has to refresh, and they race. One refreshes; the other waits for it and picks up the
 * result instead of presenting the same refresh token a second time.
 */
async function bothTabsRefreshAtOnce(tab1: Page, tab2: Page) {
  await tab1.context().clearCookies({ name: ACCESS_COOKIE });
  await Promise.all([tab1.reload(), tab2.reload()]);
  for (const tab of [tab1, tab2]) {
    await expect(tab).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
    await expect(tab.getByTestId("user-email")).toBeVisible();
  }
  // The session was not forked or revoked: both tabs keep renewing it.
  expect((await nextRefresh(tab1, 200)).ok()).toBe(true);
  expect(await apiMeStatus(tab1)).toBe(200);
  expect(await apiMeStatus(tab2)).toBe(200);
}

// Access tokens of 4 s and a grace window of 2 s, on SQLite (`short`) and on PostgreSQL (`pg`).
for (const server of ["short", "pg"] as const) {
  test.describe(`on ${server}`, () => {
    test.use({ server });

    test("two tabs that need a refresh at the same moment both stay signed in", async ({
      signedInPage: tab1,
      secondTab: tab2,
    }) => {
      await bothTabsRefreshAtOnce(tab1, tab2);
    });

    test("where Web Locks are missing, the fallback lock does the same", async ({
      signedInPage: tab1,
      secondTab: tab2,
    }) => {
      await tab1.context().addInitScript(() => {
        Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined, configurable: true });
      });
      await bothTabsRefreshAtOnce(tab1, tab2);
      expect(await tab2.evaluate(() => navigator.locks)).toBeUndefined();
    });

    test("without coordination (two raw refreshes at once) the server's grace window still keeps both signed in", async ({
      signedInPage: tab1,
      secondTab: tab2,
    }) => {
      const refresh = (tab: Page) =>
        tab.evaluate(async () => (await fetch("/api/auth/refresh", { method: "POST" })).status);
      expect(await Promise.all([refresh(tab1), refresh(tab2)])).toEqual([200, 200]);
      expect(await apiMeStatus(tab1)).toBe(200);
      await tab2.reload();
      await expect(tab2).toHaveURL(/\/dashboard$/);
    });
  });
}
