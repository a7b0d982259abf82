import { expect, test } from "./fixtures";
import { OIDC_NAME } from "./servers";

// The `local` server offers GitHub and an OpenID provider (the tests' stand-ins, started by playwright.config.ts).
test.use({ server: "local" });

test('"Continue with" a provider signs in; the security page connects and disconnects another', async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("link", { name: "Continue with GitHub" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Continue with Google" })).toHaveCount(0);
  await page.getByRole("link", { name: `Continue with ${OIDC_NAME}` }).click();

  // The provider's own page.
  await expect(page.getByRole("heading", { name: "Test OpenID provider" })).toBeVisible();
  await page.getByRole("button", { name: /Sign in as Ada OIDC/ }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("user-email")).toHaveText("ada@oidc.example");

  await page.goto("/account/sessions");
  await expect(page.locator('[data-testid="device"][data-current="true"]').getByTestId("signed-in-with")).toHaveText(
    OIDC_NAME,
  );

  await page.goto("/account/security");
  const section = page.getByRole("region", { name: "Connected accounts" });
  const sso = section.getByTestId("provider").filter({ hasText: OIDC_NAME });
  await expect(sso).toContainText("Connected as ada@oidc.example");
  await section.getByRole("button", { name: "Connect GitHub" }).click();

  await expect(page.getByRole("heading", { name: "GitHub stand-in" })).toBeVisible();
  await page.getByRole("button", { name: "Authorize as octo" }).click();
  await expect(page).toHaveURL(/\/account\/security\?connected=github$/);
  await expect(section.getByRole("status")).toContainText("Connected GitHub.");
  await expect(section.getByTestId("provider").filter({ hasText: "GitHub" })).toContainText(
    "Connected as octo@github.example",
  );

  await section.getByRole("button", { name: "Disconnect GitHub" }).click();
  await expect(section.getByRole("status")).toContainText("Disconnected GitHub.");
  await expect(section.getByTestId("provider").filter({ hasText: "GitHub" })).toContainText("Not connected");
});

test("a cancelled provider sign-in comes back to the sign-in page saying so", async ({ page }) => {
  await page.goto("/register");
  await page.getByRole("link", { name: "Continue with GitHub" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/login\?error=access_denied$/);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("You cancelled signing in with the provider");
});
