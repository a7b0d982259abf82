import { ACCESS_COOKIE, REFRESH_COOKIE, expect, signInThroughUi, test, uniqueUser } from "./fixtures";

// EMAIL_VERIFICATION=required: no session until the address is confirmed.
test.use({ server: "required" });

test("register says Check your email and sets no cookie; sign-in waits for the mailed link", async ({
  page,
  mailbox,
}) => {
  const user = uniqueUser("required");
  await page.goto("/register");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(user.email);
  await expect(page).toHaveURL(/\/register$/);
  const names = (await page.context().cookies()).map((c) => c.name);
  expect(names).not.toContain(ACCESS_COOKIE);
  expect(names).not.toContain(REFRESH_COOKIE);

  // The right password before confirming: told what to do, still signed out.
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Confirm your email address first.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Register again" })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto(await mailbox.linkFor(user.email, { kind: "verify" }));
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await signInThroughUi(page, user, "required");
});

test("registering again with an unconfirmed address mails a fresh link, and the old one dies", async ({
  page,
  mailbox,
}) => {
  const user = uniqueUser("again");
  const register = async () => {
    await page.goto("/register");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  };
  await register();
  const first = await mailbox.linkFor(user.email, { kind: "verify" });
  await register();
  const second = await mailbox.linkFor(user.email, { kind: "verify", after: 1 });
  expect(second).not.toBe(first);

  await page.goto(first);
  await expect(page.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Register again" })).toBeVisible(); // signed out, required mode
  await page.goto("/");
  await page.goto(second);
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
});
