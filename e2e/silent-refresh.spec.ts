import { ACCESS_COOKIE, apiMeStatus, expect, nextRefresh, test } from "./fixtures";

// Access tokens on the `short` server live 4 s: expiry happens for real, nothing is mocked.
test.use({ server: "short" });

test("the access token renews itself before it expires; the user stays on the page", async ({ signedInPage: page }) => {
  const firstExpiry = Number(await page.getByTestId("access-expiry").getAttribute("data-expires-at"));

  // Two renewals in a row: the page has outlived its first access token (and then some).
  expect((await nextRefresh(page)).status()).toBe(200);
  expect((await nextRefresh(page)).status()).toBe(200);
  expect(Date.now()).toBeGreaterThan(firstExpiry);

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("access-expiry")).not.toHaveAttribute("data-expires-at", String(firstExpiry));
  expect(await apiMeStatus(page)).toBe(200);
});

test("a tab that sleeps past expiry wakes up signed in", async ({ signedInPage: page }) => {
  // "Sleep": pause the page's JavaScript (as a suspended laptop does) until the access cookie has
  // expired in the browser, then let it run again. Its overdue timers fire, as after a real wake-up.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Debugger.enable");
  const paused = new Promise((resolve) => cdp.once("Debugger.paused", resolve));
  await cdp.send("Debugger.pause");
  await paused; // (the dashboard's one-second countdown runs script often, so this is quick)
  await expect
    .poll(async () => (await page.context().cookies()).some((c) => c.name === ACCESS_COOKIE), { timeout: 15_000 })
    .toBe(false);

  const refreshed = nextRefresh(page, 200);
  await cdp.send("Debugger.resume");
  await cdp.send("Debugger.disable");
  await refreshed;

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
  expect(await apiMeStatus(page)).toBe(200);
});

test("leaving the page in the middle of a refresh does not lose the rotated token", async ({ signedInPage: page }) => {
  // The refresh request is on the wire when the user navigates away. The browser must still
  // store its answer (keepalive); otherwise the jar keeps the spent token and the next refresh,
  // outside the 2 s grace window, would be taken for a stolen copy.
  await page.waitForRequest((r) => r.url().endsWith("/api/auth/refresh"));
  await page.goto("about:blank");
  await expect
    .poll(async () => (await page.context().cookies()).some((c) => c.name === ACCESS_COOKIE), { timeout: 15_000 })
    .toBe(false); // the access cookie expires; well past the grace window by now

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await expect(page.getByTestId("user-email")).toBeVisible();
});
