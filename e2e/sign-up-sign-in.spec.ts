import { expect, signInThroughUi, signOutButton, test, uniqueUser } from "./fixtures";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";

// On SQLite and on PostgreSQL (the `pg` server: a throwaway cluster).
for (const server of ["main", "pg"] as const) {
  test.describe(`on ${server}`, () => {
    test.use({ server });

    test("register → sign in → dashboard → sign out → dashboard redirects to login", async ({ page }) => {
      const user = uniqueUser("flow");

      await page.goto("/register");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(user.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page).toHaveURL(/\/dashboard$/);
      await expect(page.getByTestId("user-email")).toHaveText(user.email);

      await signOutButton(page).click();
      await expect(page).toHaveURL(/\/login/);

      await signInThroughUi(page, user, server);
      await expect(page.getByTestId("user-email")).toHaveText(user.email);

      await signOutButton(page).click();
      await expect(page).toHaveURL(/\/login/);
      const cookies = await page.context().cookies();
      expect(cookies.map((c) => c.name)).not.toContain(ACCESS_COOKIE);
      expect(cookies.map((c) => c.name)).not.toContain(REFRESH_COOKIE);

      await page.goto("/dashboard");
      await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
      await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
    });

    test("a wrong password shows an inline error and stays on the form", async ({ page, user }) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      // (Next's route announcer is also role=alert, so look inside the form.)
      await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect.");
      await expect(page).toHaveURL(/\/login/);
    });
  });
}
