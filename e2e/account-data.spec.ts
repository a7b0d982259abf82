import fs from "node:fs";
import { expect, test, uniqueUser } from "./fixtures";

test("download your data: a JSON file with the email and no password hash", async ({ signedInPage: page, user }) => {
  await page.goto("/account/security");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download your data" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^account-data-\d{4}-\d{2}-\d{2}\.json$/);
  const text = fs.readFileSync((await file.path())!, "utf8");
  const data = JSON.parse(text);
  expect(text).toContain(user.email);
  expect(data).toBeTruthy();
  expect(text).not.toMatch(/password_?hash|\$argon2/i);
  expect(text).not.toContain(user.password);
});

test("delete account: signed out, told so, can't sign in again, and the address can register again", async ({
  signedInPage: page,
  user,
}) => {
  await page.goto("/account/security");
  const section = page.getByRole("region", { name: "Delete account" });
  await section.getByRole("button", { name: "Delete account" }).click();
  await section.getByLabel(`Type ${user.email} to confirm`).fill("someone-else@example.com");
  await section.getByRole("button", { name: "Delete my account" }).click();
  await expect(section.getByText("Type your email address exactly as shown")).toBeVisible();

  await section.getByLabel(`Type ${user.email} to confirm`).fill(user.email);
  await section.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/account-deleted$/);
  await expect(page.getByRole("heading", { name: "Your account has been deleted" })).toBeVisible();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Email or password is incorrect");

  const again = { ...uniqueUser(), email: user.email };
  await page.goto("/register");
  await page.getByLabel("Email").fill(again.email);
  await page.getByLabel("Password").fill(again.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
});
