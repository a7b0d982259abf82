import { expect, test } from "./fixtures";

/**
 * Not part of the suite: `SCREENSHOTS=1 npx playwright test screenshots` saves a picture of every
 * page, desktop and phone sized, into test-results/screenshots/ for a human to look at.
 */
const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

for (const [size, viewport] of Object.entries(sizes)) {
  test(`every page, ${size}`, async ({ page, user, admin, newContext, signIn }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(viewport);
    const shot = async (name: string) => {
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `test-results/screenshots/${size}-${name}.png`, fullPage: true });
    };

    await page.goto("/");
    await shot("home");
    await page.goto("/login?next=%2Fdashboard");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await page.getByRole("button", { name: "Sign in" }).click();
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

    await signIn(await newContext(), user); // a second device
    await signIn(page.context(), user);
    await page.goto("/dashboard");
    await shot("dashboard");
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
