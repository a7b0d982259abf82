import { expect, signOutButton, test } from "./fixtures";

test("signing out in one tab signs out the other tab at once", async ({ signedInPage: tab1, secondTab: tab2 }) => {
  await tab2.goto("/account/sessions");

  await signOutButton(tab1).click();
  await expect(tab1).toHaveURL(/\/login/);

  // tab2 did nothing: the provider heard about it over the BroadcastChannel.
  await expect(tab2).toHaveURL(/\/login\?next=%2Faccount%2Fsessions/);
  await expect(tab2.getByRole("main").getByRole("status")).toHaveText("You signed out in another tab.");
  await expect(tab2.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
});
