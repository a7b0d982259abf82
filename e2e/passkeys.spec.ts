import { addAuthenticator, expect, test } from "./webauthn";
import type { Page } from "./fixtures";

// Passkeys need a host name (WebAuthn refuses an IP address as the relying party): the `local` server.
test.use({ server: "local" });

async function addPasskey(page: Page) {
  await page.goto("/account/security");
  const passkeys = page.getByRole("region", { name: "Passkeys" });
  await expect(passkeys.getByText("You have no passkeys yet.")).toBeVisible();
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(passkeys.getByRole("status")).toContainText("Passkey added");
  await expect(passkeys.getByTestId("passkey")).toHaveCount(1);
  return passkeys;
}

test("a passkey added on the security page signs in on a fresh page, without typing an email", async ({
  authenticator,
  signedInPage: page,
  user,
  newContext,
}) => {
  const passkeys = await addPasskey(page);
  const item = passkeys.getByTestId("passkey");
  await expect(item).toContainText("Created");
  await expect(item).toContainText("Never");
  const [credential] = await authenticator.credentials();
  expect(credential.isResidentCredential).toBe(true);

  // Another browser holding the same passkey (synced), signed out.
  const fresh = await (await newContext()).newPage();
  await addAuthenticator(fresh, { credentials: [credential] });
  await fresh.goto("/login");
  await expect(fresh.getByLabel("Email")).toHaveAttribute("autocomplete", "username webauthn");
  await fresh.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(fresh).toHaveURL(/\/dashboard$/);
  await expect(fresh.getByTestId("user-email")).toHaveText(user.email);

  await fresh.goto("/account/sessions");
  await expect(fresh.locator('[data-testid="device"][data-current="true"]').getByTestId("signed-in-with")).toHaveText(
    "Passkey",
  );
  await fresh.goto("/account/security");
  await expect(fresh.getByTestId("passkey")).not.toContainText("Never");
});

test("the passkey offered in the email field's autofill signs in (conditional UI)", async ({
  authenticator,
  signedInPage: page,
  user,
  newContext,
}) => {
  await addPasskey(page);
  const [credential] = await authenticator.credentials();
  // The virtual authenticator answers the quiet request as a person picking the suggestion would.
  const fresh = await (await newContext()).newPage();
  await addAuthenticator(fresh, { credentials: [credential] });
  await fresh.goto("/login");
  await fresh.getByLabel("Email").focus();
  await expect(fresh).toHaveURL(/\/dashboard$/);
  await expect(fresh.getByTestId("user-email")).toHaveText(user.email);
});

test("a removed passkey no longer signs in", async ({ authenticator, signedInPage: page, newContext }) => {
  const passkeys = await addPasskey(page);
  const [credential] = await authenticator.credentials();

  await passkeys.getByRole("button", { name: "Remove" }).click();
  await passkeys.getByRole("button", { name: "Yes, remove" }).click();
  await expect(passkeys.getByRole("status")).toContainText("It can no longer sign in to your account");
  await expect(passkeys.getByText("You have no passkeys yet.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("region", { name: "Passkeys" }).getByTestId("passkey")).toHaveCount(0);

  const fresh = await (await newContext()).newPage();
  await addAuthenticator(fresh, { credentials: [credential] });
  await fresh.goto("/login");
  await fresh.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(fresh.getByRole("main").getByRole("alert")).toContainText("That passkey did not work");
  await expect(fresh).toHaveURL(/\/login/);
});

test("an authenticator that cannot verify its user is refused", async ({ page, user, signIn }) => {
  await addAuthenticator(page, { userVerification: false });
  await signIn(page.context(), user);
  await page.goto("/account/security");
  const passkeys = page.getByRole("region", { name: "Passkeys" });
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(passkeys.getByRole("alert")).toBeVisible();
  await expect(passkeys.getByRole("button", { name: "Add a passkey" })).toBeEnabled();
  await page.reload();
  await expect(page.getByRole("region", { name: "Passkeys" }).getByText("You have no passkeys yet.")).toBeVisible();
});
