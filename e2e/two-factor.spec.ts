import { expect, signOutButton, test, type Page, type TestUser } from "./fixtures";
import { totp } from "./webauthn";

async function passwordStep(page: Page, user: TestUser) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/two-factor\?next=%2Fdashboard$/);
  await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
}

async function signOut(page: Page) {
  await signOutButton(page).click();
  await expect(page).toHaveURL(/\/login/);
}

test("two-step: set up, sign in with a code, a replayed code refused, a recovery code works once", async ({
  signedInPage: page,
  user,
}) => {
  await page.goto("/account/security");
  const section = page.getByRole("region", { name: "Two-step verification" });
  await section.getByRole("button", { name: "Set up two-step verification" }).click();
  await expect(section.getByRole("img", { name: /QR code/ })).toBeVisible();
  const setupKey = (await section.getByTestId("setup-key").textContent())!.replace(/\s/g, "");
  expect(setupKey).toMatch(/^[A-Z2-7]{16,}$/);

  await section.getByLabel("Verification code").fill("000000");
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByText("That code is not right")).toBeVisible();

  const enabledAt = Date.now();
  await section.getByLabel("Verification code").fill(totp(setupKey, enabledAt));
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByRole("status").first()).toContainText("Two-step verification is on.");
  const codes = await section.getByTestId("recovery-code").allTextContents();
  expect(codes).toHaveLength(10);
  await expect(section.getByRole("button", { name: "Copy" })).toBeVisible();
  await expect(section.getByRole("button", { name: "Download" })).toBeVisible();
  await section.getByRole("button", { name: "I've saved them" }).click();
  await expect(section.getByTestId("recovery-codes-left")).toHaveText("10 of 10 recovery codes left.");
  // The setup key is shown during set-up only.
  await page.reload();
  await expect(page.getByTestId("setup-key")).toHaveCount(0);

  // The next step's code (the one used to turn it on cannot be used again).
  const code = totp(setupKey, enabledAt + 30_000);
  await signOut(page);
  await passwordStep(page, user);
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("user-email")).toHaveText(user.email);

  // The same code again: refused, inline.
  await signOut(page);
  await passwordStep(page, user);
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  await expect(page).toHaveURL(/\/two-factor/);

  // A recovery code instead: it works once.
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await signOut(page);
  await passwordStep(page, user);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  await page.getByLabel("Recovery code").fill(codes[1]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto("/account/security");
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("8 of 10 recovery codes left.");
  await page.goto("/account/sessions");
  await expect(page.locator('[data-testid="device"][data-current="true"]').getByTestId("signed-in-with")).toHaveText(
    "Password and authenticator app",
  );
});

test("the second step without a pending sign-in goes back to sign in, saying why", async ({ page }) => {
  await page.goto("/two-factor?next=%2Faccount%2Fsecurity");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount%2Fsecurity&reason=sign_in_expired$/);
  await expect(page.getByRole("status")).toContainText("That sign-in expired");
});
