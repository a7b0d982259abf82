import { expect, test } from "./fixtures";

test("the admin page is forbidden to a plain user, in the page and in the API", async ({ signedInPage: page }) => {
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");

  // The admin API, called from the page as its own scripts would.
  const api = await page.evaluate(async () => {
    const res = await fetch("/api/admin/end-sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "someone@example.com" }),
    });
    return { status: res.status, body: await res.json() };
  });
  expect(api).toEqual({ status: 403, body: { error: "forbidden", message: expect.any(String) } });
});

test("an admin sees recent events and can sign a user out everywhere", async ({
  user,
  signedInPage: victim,
  admin,
  newContext,
  signIn,
}) => {
  const adminContext = await newContext();
  await signIn(adminContext, admin);
  const page = await adminContext.newPage();

  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
  await expect(page.getByTestId("events").getByText(user.email).first()).toBeVisible();

  await page.getByLabel("Account email").fill(user.email);
  await page.getByRole("button", { name: "End all sessions" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText(`Signed out ${user.email} everywhere`);

  await victim.reload();
  await expect(victim).toHaveURL(/\/login\?next=%2Fdashboard/);
});
