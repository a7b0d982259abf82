import { expect, test } from "./fixtures";

test("the admin page is forbidden to a plain user, in the page and in the API", async ({ signedInPage: page, baseURL }) => {
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");

  const api = await page.request.post("/api/admin/end-sessions", { data: { email: "someone@example.com" }, headers: { Origin: baseURL! } });
  expect(api.status()).toBe(403);
  expect((await api.json()).error).toBe("forbidden");
});

test("an admin sees recent events and can sign a user out everywhere", async ({ user, signedInPage: victim, admin, newContext, signIn }) => {
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
