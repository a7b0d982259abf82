import { expect, test } from "./fixtures";

test("ending a session on the devices page signs that device out at its next request", async ({
  signedInPage: laptop,
  user,
  newContext,
  signIn,
}) => {
  const phoneContext = await newContext();
  await signIn(phoneContext, user);
  const phone = await phoneContext.newPage();
  await phone.goto("/dashboard");
  await expect(phone.getByTestId("user-email")).toHaveText(user.email);

  await laptop.goto("/account/sessions");
  const devices = laptop.getByTestId("device");
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: "This device" })).toHaveCount(1);
  await devices
    .filter({ hasNotText: "This device" })
    .getByRole("button", { name: /^Sign out/ })
    .click();
  await expect(devices).toHaveCount(1);

  // The phone's next request: its access token is rejected and its refresh token is dead.
  await phone.reload();
  await expect(phone).toHaveURL(/\/login\?next=%2Fdashboard/);
  await expect(phone.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();

  // The laptop is unaffected.
  await laptop.reload();
  await expect(laptop.getByTestId("device")).toHaveCount(1);
});
