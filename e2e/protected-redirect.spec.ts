import { expect, test } from "./fixtures";

test("a protected page sends a signed-out visitor to sign in, then back to where they were going", async ({
  page,
  user,
}) => {
  await page.goto("/account/security");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount%2Fsecurity$/);

  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
});

test("an unsafe next path is ignored: sign-in lands on the dashboard", async ({ page, user }) => {
  await page.goto("/login?next=//evil.example/steal");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});
