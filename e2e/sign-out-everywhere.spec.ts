import { expect, test } from "./fixtures";

// (The example in README.md, "Testing auth flows".)
test("sign out everywhere ends the other device too", async ({ signedInPage: laptop, user, newContext, signIn }) => {
  const phone = await (await newContext()).newPage();
  await signIn(phone.context(), user);

  await laptop.goto("/account/sessions");
  await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
  await laptop.getByRole("button", { name: "Yes, sign out everywhere" }).click();
  await expect(laptop).toHaveURL(/\/login/);

  await phone.goto("/dashboard");
  await expect(phone).toHaveURL(/\/login\?next=%2Fdashboard/);
});
