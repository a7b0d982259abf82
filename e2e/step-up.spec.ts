import { expect, test, type Page } from "./fixtures";

// `short` asks for a recent sign-in after 3 s (STEP_UP_MAX_AGE).
test.use({ server: "short" });

/** Waits until the server says this session's sign-in is too old for a sensitive action. */
async function untilStepUpIsNeeded(page: Page) {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const res = await fetch("/api/auth/passkeys/register/options", { method: "POST" });
          return ((await res.json()) as { error?: string }).error ?? String(res.status);
        }),
      { timeout: 20_000, intervals: [500] },
    )
    .toBe("reauthentication_required");
}

test('an old session is asked "Confirm it\'s you"; a wrong password is an inline error; the action then succeeds', async ({
  signedInPage: page,
  user,
}) => {
  await page.goto("/account/security");
  await untilStepUpIsNeeded(page);
  const section = page.getByRole("region", { name: "Two-step verification" });

  // Cancel: nothing happens.
  await section.getByRole("button", { name: "Set up two-step verification" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it's you" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(section.getByTestId("setup-key")).toHaveCount(0);

  await section.getByRole("button", { name: "Set up two-step verification" }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Password")).toBeFocused();
  await dialog.getByLabel("Password").fill("not the password");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog.getByText("That did not confirm it's you")).toBeVisible();

  await dialog.getByLabel("Password").fill(user.password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(section.getByTestId("setup-key")).toBeVisible();
  await expect(section.getByLabel("Verification code")).toBeVisible();
});
