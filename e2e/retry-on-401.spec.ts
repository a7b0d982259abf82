import { ACCESS_COOKIE, expect, nextRefresh, test } from "./fixtures";

test("a request that answers 401 is refreshed once and retried; the user notices nothing", async ({
  signedInPage: page,
  user,
  newContext,
  signIn,
}) => {
  await signIn(await newContext(), user); // a second device to sign out
  await page.goto("/account/sessions");
  await expect(page.getByTestId("device")).toHaveCount(2);

  // The access cookie is gone (as if it had expired); the refresh cookie is still there.
  await page.context().clearCookies({ name: ACCESS_COOKIE });

  const statuses: string[] = [];
  page.on("response", (r) => {
    if (r.url().includes("/api/auth/"))
      statuses.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  const refreshed = nextRefresh(page, 200);
  await page
    .getByTestId("device")
    .filter({ hasNotText: "This device" })
    .getByRole("button", { name: /^Sign out/ })
    .click();
  await refreshed;

  await expect(page.getByRole("main").getByRole("status")).toContainText("Signed out");
  await expect(page.getByTestId("device")).toHaveCount(1);
  expect(statuses.filter((s) => s.startsWith("DELETE"))).toEqual([
    expect.stringMatching(/ 401$/),
    expect.stringMatching(/ 200$/),
  ]);
});
