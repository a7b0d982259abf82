import { ACCESS_COOKIE, REFRESH_COOKIE, expect, signInThroughUi, signOutButton, test, uniqueUser } from "./fixtures";
import { serverUrl } from "./servers";

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
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Confirm your email address first.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Register again" })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  // The link proves the mailbox; the password chosen at sign-up completes it and signs in.
  await page.goto(await mailbox.linkFor(user.email, { kind: "verify" }));
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
  await signOutButton(page).click();
  await expect(page).toHaveURL(/\/login/);
  await signInThroughUi(page, user, "required");
});

test("someone registered my address first: my own registration wins, and their password is gone", async ({
  page,
  mailbox,
  request,
}) => {
  const user = uniqueUser("squatted");
  const register = async (password: string) => {
    await page.goto("/register");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  };
  await register("a squatter's password");
  const squatters = await mailbox.linkFor(user.email, { kind: "verify" });
  await register(user.password);
  const mine = await mailbox.linkFor(user.email, { kind: "verify", after: 1 });
  expect(mine).not.toBe(squatters);

  // The link I never asked for does not take my password.
  await page.goto(squatters);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await expect(page.getByText("That is not the password of this sign-up.")).toBeVisible();

  await page.goto("/");
  await page.goto(mine);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
  await page.context().clearCookies();

  const origin = serverUrl("required");
  const login = (password: string) =>
    request.post(`${origin}/api/auth/login`, { data: { email: user.email, password }, headers: { Origin: origin } });
  expect((await login("a squatter's password")).status()).toBe(401);
  expect((await login(user.password)).status()).toBe(200);
});
