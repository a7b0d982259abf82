import { createUser, expect, signInThroughUi, test } from "./fixtures";
import { serverUrl } from "./servers";
import { ACCESS_COOKIE } from "@/lib/server/cookies";

// The `short` server's access tokens live 4 s; the refresh cookie lives on.
test("expired access token + live refresh cookie: /dashboard → /login refreshes silently and returns, no password typed", async ({
  page,
  request,
}) => {
  const user = await createUser(request, "short");
  await signInThroughUi(page, user, "short");

  // Leave the app so nothing refreshes in the background, and let the access cookie expire.
  await page.goto("about:blank");
  await expect
    .poll(async () => (await page.context().cookies(serverUrl("short"))).some((c) => c.name === ACCESS_COOKIE), {
      timeout: 15_000,
    })
    .toBe(false);

  const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/auth/refresh") && r.status() === 200);
  await page.goto(`${serverUrl("short")}/dashboard`);
  await refreshed;
  await expect(page).toHaveURL(`${serverUrl("short")}/dashboard`);
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
});
