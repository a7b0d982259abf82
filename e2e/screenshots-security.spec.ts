import { expect, signOutButton, test, type Page } from "./fixtures";
import { serverUrl } from "./servers";
import { addAuthenticator, totp } from "./webauthn";

/**
 * Not part of the suite: `SCREENSHOTS=1 npx playwright test screenshots-security` saves pictures of
 * the sign-in page, the second step, the security page in each state and "Confirm it's you" into
 * test-results/screenshots/ for a human to look at.
 */
test.use({ server: "local" });

const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

for (const [size, viewport] of Object.entries(sizes)) {
  test(`sign-in, second step and security pages, ${size}`, async ({ page, user, signIn, request }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(viewport);
    const authenticator = await addAuthenticator(page);
    const shot = async (name: string, target: Page = page) => {
      await target.waitForLoadState("networkidle");
      await target.screenshot({ path: `test-results/screenshots/${size}-${name}.png`, fullPage: true });
    };

    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeVisible();
    await shot("login-passkey-providers");
    await page.goto("/login?error=account_exists");
    await shot("login-provider-error");
    await page.goto("/register");
    await shot("register-providers");

    await signIn(page.context(), user);
    await page.goto("/account/security");
    await shot("security-initial");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByText("Passkey added")).toBeVisible();
    await page.getByRole("button", { name: "Set up two-step verification" }).click();
    await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
    await shot("security-passkey-added-two-step-setup");
    const key = (await page.getByTestId("setup-key").textContent())!.replace(/\s/g, "");
    const enabledAt = Date.now();
    await page.getByLabel("Verification code").fill(totp(key, enabledAt));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByTestId("recovery-code")).toHaveCount(10);
    await shot("security-recovery-codes");
    await page.getByRole("button", { name: "I've saved them" }).click();
    await page.getByRole("button", { name: "Delete account" }).click();
    await shot("security-two-step-on-delete-confirm");
    await page.getByRole("button", { name: "Rename" }).click();
    await shot("security-rename");

    await page.goto("/account/sessions");
    await shot("devices");

    // Without it, the passkey offered in the email field's autofill would sign straight back in.
    await authenticator.cdp.send("WebAuthn.removeVirtualAuthenticator", {
      authenticatorId: authenticator.authenticatorId,
    });
    await signOutButton(page).click();
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
    await shot("two-factor");
    await page.getByLabel("Verification code").fill("123");
    await page.getByRole("button", { name: "Verify" }).click();
    await shot("two-factor-error");
    await page.getByRole("button", { name: "Use a recovery code" }).click();
    await page.getByLabel("Recovery code").fill("not-a-recovery-code");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText("That code is not right")).toBeVisible();
    await shot("two-factor-recovery-error");

    await page.goto("/account-deleted");
    await shot("account-deleted");

    // "Confirm it's you": on `short`, whose sign-ins are old after 3 s.
    const short = serverUrl("short");
    const email = `shot-${size}-${Date.now()}@example.com`;
    const res = await request.post(`${short}/api/auth/register`, {
      data: { email, password: "a-long-enough-password" },
      headers: { Origin: short },
    });
    expect(res.status()).toBe(201);
    const stepUp = await page.context().newPage();
    await stepUp.setViewportSize(viewport);
    await stepUp.context().request.post(`${short}/api/auth/login`, {
      data: { email, password: "a-long-enough-password" },
      headers: { Origin: short },
    });
    await stepUp.goto(`${short}/account/security`);
    await expect
      .poll(
        () =>
          stepUp.evaluate(async () => {
            const r = await fetch("/api/auth/passkeys/register/options", { method: "POST" });
            return ((await r.json()) as { error?: string }).error ?? "";
          }),
        { timeout: 20_000 },
      )
      .toBe("reauthentication_required");
    await stepUp.getByRole("button", { name: "Set up two-step verification" }).click();
    const dialog = stepUp.getByRole("dialog", { name: "Confirm it's you" });
    await dialog.getByLabel("Password").fill("wrong password");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect(dialog.getByText("That did not confirm it's you")).toBeVisible();
    await stepUp.screenshot({ path: `test-results/screenshots/${size}-step-up-dialog.png` });
  });
}
