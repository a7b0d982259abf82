import { expect, test } from "./fixtures";

// On SQLite and on PostgreSQL (the `pg` server: a throwaway cluster).
for (const server of ["main", "pg"] as const) {
  test.describe(`on ${server}`, () => {
    test.use({ server });

    test("changing the password signs out the other device; this one stays signed in", async ({
      signedInPage: page,
      user,
      newContext,
      signIn,
    }) => {
      const other = await newContext();
      await signIn(other, user);
      const otherPage = await other.newPage();
      await otherPage.goto("/dashboard");

      await page.goto("/account/security");
      await page.getByLabel("Current password").fill(user.password);
      await page.getByLabel("New password", { exact: true }).fill(`${user.password}-new`);
      await page.getByLabel("Confirm new password").fill(`${user.password}-new`);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByRole("main").getByRole("status")).toContainText("1 other session was signed out");

      await otherPage.reload();
      await expect(otherPage).toHaveURL(/\/login\?next=%2Fdashboard/);

      await page.goto("/dashboard");
      await expect(page.getByTestId("user-email")).toHaveText(user.email);
      await page.goto("/account/security");
      await expect(page.locator('[data-event-type="password_changed"]')).toBeVisible();
    });

    test("a wrong current password is an inline error next to the field", async ({ signedInPage: page }) => {
      await page.goto("/account/security");
      await page.getByLabel("Current password").fill("not my password");
      await page.getByLabel("New password", { exact: true }).fill("a-brand-new-password");
      await page.getByLabel("Confirm new password").fill("a-brand-new-password");
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByText("Your current password is incorrect.")).toBeVisible();
    });
  });
}
