import { createUser, expect, test, uniqueUser } from "./fixtures";
import { mailboxFor } from "./mailbox";
import { serverUrl } from "./servers";
import { totpCode } from "@/lib/auth/totp";

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

/** The admin's user list and a user's page, in each state, for a human to look at. */
for (const [size, viewport] of Object.entries(sizes)) {
  test(`the admin's user pages, ${size}`, async ({ browser, baseURL, request, user, admin, newContext, signIn }) => {
    test.setTimeout(120_000);
    const context = await newContext();
    await signIn(context, admin);
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const shot = async (name: string) => {
      await page.screenshot({ path: `test-results/screenshots/${size}-${name}.png`, fullPage: true });
    };

    // A person with two devices, and one with two-step on (so "Reset two-step" shows).
    for (const userAgent of [undefined, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) Safari/604.1"]) {
      const device = await browser.newContext({ baseURL, userAgent });
      await signIn(device, user);
      await device.close();
    }
    const withTwoStep = await createUser(request);
    const phone = await newContext();
    await signIn(phone, withTwoStep);
    const headers = { Origin: baseURL! };
    const setup = await (await phone.request.post("/api/auth/two-factor/setup", { headers })).json();
    const enabled = await phone.request.post("/api/auth/two-factor/enable", {
      headers,
      data: { code: totpCode(setup.secret, Date.now()) },
    });
    expect(enabled.status()).toBe(200);

    await page.goto("/admin");
    const users = page.getByRole("region", { name: "Users" });
    await expect(users.getByRole("link").first()).toBeVisible();
    await page.waitForLoadState("networkidle");
    await shot("admin-users");
    await users.screenshot({ path: `test-results/screenshots/${size}-admin-users-list.png` });

    // Loading: the answer is held until the picture is taken.
    let release = () => {};
    await page.route("**/api/admin/users?*", async (route) => {
      await new Promise<void>((resolve) => (release = resolve));
      await route.continue();
    });
    await users.getByLabel("Search").fill(user.email);
    await expect(users.getByText("Loading users…")).toBeVisible();
    await shot("admin-users-loading");
    release();
    await expect(users.getByText("Loading users…")).toBeHidden();
    await expect(users.getByRole("link")).toHaveCount(1);
    await page.unroute("**/api/admin/users?*");
    await shot("admin-users-search");

    await users.getByLabel("Search").fill("no-such-person");
    await expect(users.getByText("No users match")).toBeVisible();
    await shot("admin-users-empty");

    await page.route("**/api/admin/users?*", (route) =>
      route.fulfill({ status: 500, json: { error: "server_error" } }),
    );
    await users.getByLabel("Search").fill("anyone");
    await expect(users.getByRole("alert")).toBeVisible();
    await shot("admin-users-error");
    await page.unroute("**/api/admin/users?*");

    await page.goto("/admin?query=" + encodeURIComponent(user.email));
    await users.getByRole("link", { name: user.email }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(user.name);
    await page.waitForLoadState("networkidle");
    await shot("admin-user");
    await page.getByRole("button", { name: "Disable account" }).click();
    await shot("admin-user-confirm");
    await page.getByRole("button", { name: "Yes, disable account" }).click();
    await expect(page.getByTestId("detail-status")).toHaveText("Disabled: signing in is refused");
    await shot("admin-user-disabled");

    await page.goto("/admin?query=" + encodeURIComponent(withTwoStep.email));
    await users.getByRole("link", { name: withTwoStep.email }).click();
    await expect(page.getByRole("button", { name: "Reset two-step" })).toBeVisible();
    await page.route("**/api/admin/users/*/reset-two-factor", (route) =>
      route.fulfill({ status: 401, json: { error: "reauthentication_required", message: "Confirm it's you." } }),
    );
    await page.getByRole("button", { name: "Reset two-step" }).click();
    await page.getByRole("button", { name: "Yes, reset two-step" }).click();
    await expect(page.getByRole("dialog", { name: "Confirm it's you" })).toBeVisible();
    await shot("admin-user-step-up");
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await shot("admin-user-step-up-cancelled");

    // The server's answer when the administrator is the last one, stubbed: on a shared test server
    // another test may have made a second administrator, and then this one would really step down.
    await page.route("**/api/admin/users/*", (route) =>
      route.request().method() === "PATCH"
        ? route.fulfill({ status: 409, json: { error: "last_admin", message: "This is the last administrator." } })
        : route.continue(),
    );
    await page.goto("/admin?query=" + encodeURIComponent(admin.email));
    await users.getByRole("link", { name: admin.email }).click();
    await page.getByLabel("Role").selectOption({ label: "User" });
    await page.getByRole("button", { name: "Change role" }).click();
    await page.getByRole("button", { name: "Yes, change role" }).click();
    await expect(page.getByText("At least one enabled administrator must remain.")).toBeVisible();
    await shot("admin-user-last-admin");

    await page.goto("/admin/users/no-such-user");
    await shot("admin-user-not-found");
  });
}
