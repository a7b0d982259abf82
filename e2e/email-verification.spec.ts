import { expect, test, uniqueUser } from "./fixtures";

// The main server: EMAIL_VERIFICATION=optional (usable at once, a banner asks to confirm).

test("register → dashboard banner → mailed link → confirmed → banner gone", async ({ page, mailbox }) => {
  const user = uniqueUser("verify");
  await page.goto("/register");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  const banner = page.getByRole("region", { name: "Confirm your email address" });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(user.email);

  await page.goto(await mailbox.linkFor(user.email, { kind: "verify" }));
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
  expect(page.url()).not.toContain("token");

  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
  await expect(banner).toBeHidden();
});

test("Resend mails a new link; once one is used, the other stops working", async ({
  signedInPage: page,
  user,
  mailbox,
}) => {
  const first = await mailbox.linkFor(user.email, { kind: "verify" }); // from registration
  const before = await mailbox.count(user.email);
  const banner = page.getByRole("region", { name: "Confirm your email address" });
  await banner.getByRole("button", { name: "Resend" }).click();
  await expect(banner.getByRole("status")).toHaveText("Sent. Check your inbox for the new link.");
  const second = await mailbox.linkFor(user.email, { kind: "verify", after: before });
  expect(second).not.toBe(first);
  expect(await mailbox.count(user.email)).toBe(before + 1);

  await page.goto(second);
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
  await page.goto("/dashboard");
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
  await expect(banner).toBeHidden();

  await page.goto(first);
  await expect(page.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
});

test("the link opened in another browser asks for the password, then confirms and signs in", async ({
  newContext,
  user,
  mailbox,
}) => {
  const link = await mailbox.linkFor(user.email, { kind: "verify" });
  const other = await newContext();
  const page = await other.newPage();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await expect(page.getByText("That is not the password of this sign-up.")).toBeVisible();
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
  await expect(page.getByRole("region", { name: "Confirm your email address" })).toBeHidden();
});
