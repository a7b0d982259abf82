import { createUser, expect, test, uniqueUser } from "./fixtures";
import { mailboxFor } from "./mailbox";
import { serverUrl } from "./servers";

/**
 * Not part of the suite: `SCREENSHOTS=1 npx playwright test screenshots` saves a picture of every
 * page, desktop and phone sized, into test-results/screenshots/ for a human to look at.
 */
const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

for (const [size, viewport] of Object.entries(sizes)) {
  test(`every page, ${size}`, async ({ page, user, admin, newContext, signIn, mailbox, request, baseURL }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(viewport);
    const shot = async (name: string) => {
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `test-results/screenshots/${size}-${name}.png`, fullPage: true });
    };

    await page.goto("/");
    await shot("home");
    await page.goto("/login?next=%2Fdashboard");
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await shot("login-errors");
    await page.goto("/login?reason=ended");
    await shot("login-ended");
    await page.goto("/register");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await shot("register-errors");
    await page.goto("/session-ended");
    await shot("session-ended");
    await page.goto("/no-such-page");
    await shot("not-found");

    // Account recovery (a user of its own: its password changes here).
    const resetUser = await createUser(request);
    await page.goto("/forgot-password");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await shot("forgot-password-error");
    await page.getByLabel("Email").fill(resetUser.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await shot("forgot-password-sent");
    const limited = uniqueUser("limited").email;
    for (let i = 0; i < 3; i++) {
      await request.post("/api/auth/password/forgot", { data: { email: limited }, headers: { Origin: baseURL! } });
    }
    await page.goto("/forgot-password");
    await page.getByLabel("Email").fill(limited);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByText("Too many requests.")).toBeVisible();
    await shot("forgot-password-rate-limited");
    await page.goto("/reset-password");
    await shot("reset-password-no-token");
    const resetLink = await mailbox.linkFor(resetUser.email, { kind: "reset" });
    await page.goto(resetLink);
    await page.getByLabel("New password", { exact: true }).fill("new-password-1");
    await page.getByLabel("Confirm new password").fill("new-password-2");
    await page.getByRole("button", { name: "Set new password" }).click();
    await shot("reset-password-mismatch");
    await page.getByLabel("Confirm new password").fill("new-password-1");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect(page.getByRole("heading", { name: "Password changed" })).toBeVisible();
    await shot("reset-password-done");
    await page.goto("/");
    await page.goto(resetLink);
    await page.getByLabel("New password", { exact: true }).fill("new-password-3");
    await page.getByLabel("Confirm new password").fill("new-password-3");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect(page.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
    await shot("reset-password-invalid");
    await page.goto(await mailbox.linkFor(resetUser.email, { kind: "verify" }));
    await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
    await shot("verify-email-confirmed");
    await page.goto("/verify-email");
    await shot("verify-email-no-token");

    // EMAIL_VERIFICATION=required: registration and sign-in before the address is confirmed.
    const required = await (await newContext()).newPage();
    await required.setViewportSize(viewport);
    const pending = uniqueUser("pending");
    await required.goto(`${serverUrl("required")}/register`);
    await required.getByLabel("Email").fill(pending.email);
    await required.getByLabel("Password").fill(pending.password);
    await required.getByRole("button", { name: "Create account" }).click();
    await expect(required.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await required.waitForLoadState("networkidle");
    await required.screenshot({ path: `test-results/screenshots/${size}-register-check-email.png`, fullPage: true });
    await required.goto(`${serverUrl("required")}/login`);
    await required.getByLabel("Email").fill(pending.email);
    await required.getByLabel("Password").fill(pending.password);
    await required.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(required.getByText("Confirm your email address first.")).toBeVisible();
    await required.screenshot({ path: `test-results/screenshots/${size}-login-unverified.png`, fullPage: true });
    const first = await mailboxFor("required").linkFor(pending.email, { kind: "verify" });
    await required.goto(first);
    await expect(required.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
    await required.goto(`${serverUrl("required")}/`);
    await required.goto(first);
    await expect(required.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
    await required.screenshot({
      path: `test-results/screenshots/${size}-verify-email-invalid-required.png`,
      fullPage: true,
    });

    await signIn(await newContext(), user); // a second device
    await signIn(page.context(), user);
    await page.goto("/dashboard");
    await shot("dashboard");
    const firstLink = await mailbox.linkFor(user.email, { kind: "verify" }); // mailed at registration
    const mailed = await mailbox.count(user.email);
    await page.getByRole("button", { name: "Resend" }).click();
    await expect(page.getByText("Sent.")).toBeVisible();
    await shot("dashboard-resent");
    await page.goto(await mailbox.linkFor(user.email, { kind: "verify", after: mailed }));
    await expect(page.getByRole("heading", { name: "Email address confirmed" })).toBeVisible();
    await page.goto("/");
    await page.goto(firstLink);
    await expect(page.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
    await shot("verify-email-invalid-signed-in");
    await page.goto("/dashboard");
    await shot("dashboard-confirmed");
    await page.goto("/account/sessions");
    await shot("sessions");
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await shot("sessions-confirm");
    await page.goto("/account/security");
    await page.getByLabel("Current password").fill("x");
    await page.getByLabel("New password", { exact: true }).fill("y");
    await page.getByRole("button", { name: "Change password" }).click();
    await shot("security");
    await page.goto("/admin");
    await shot("forbidden");

    const adminContext = await newContext();
    await signIn(adminContext, admin);
    const adminPage = await adminContext.newPage();
    await adminPage.setViewportSize(viewport);
    await adminPage.goto("/admin");
    await adminPage.waitForLoadState("networkidle");
    await adminPage.screenshot({ path: `test-results/screenshots/${size}-admin.png`, fullPage: true });
    await adminPage.keyboard.press("Tab");
    await adminPage.keyboard.press("Tab");
    await adminPage.screenshot({ path: `test-results/screenshots/${size}-admin-focus.png` });
  });
}
