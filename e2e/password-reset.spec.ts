import { apiMeStatus, expect, signInThroughUi, test, uniqueUser, type Page } from "./fixtures";

/** /forgot-password through the form, as a person would. */
async function askForResetLink(page: Page, email: string) {
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
}

/** Opens an emailed reset link and sets a new password with it. */
async function setNewPassword(page: Page, link: string, password: string) {
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("Confirm new password").fill(password);
  await page.getByRole("button", { name: "Set new password" }).click();
}

test("forgot password → mailed link → new password → sign in with it; the link works once", async ({
  page,
  user,
  mailbox,
}) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("If an account exists for that address, we sent a link")).toBeVisible();
  await expect(page.getByRole("main")).toContainText(user.email);

  const link = await mailbox.linkFor(user.email, { kind: "reset" });
  expect(link).toMatch(/\/reset-password#token=[\w-]{43}$/);
  const token = new URL(link).hash.slice("#token=".length);
  await page.goto(link);
  await expect(page.getByLabel("New password", { exact: true })).toBeVisible();
  const requestUrls: string[] = []; // from here on (the navigation itself never sends a fragment)
  page.on("request", (r) => requestUrls.push(r.url()));
  expect(page.url()).not.toContain("token"); // gone from the address bar before anything was sent
  // Nowhere a page script or the history could read it back.
  const readable = await page.evaluate(() =>
    JSON.stringify([{ ...localStorage }, { ...sessionStorage }, history.state, document.documentElement.outerHTML]),
  );
  expect(readable).not.toContain(token);

  // Inline errors first: too short, then not the same twice.
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Use at least 8 characters.")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("a-new-password-1");
  await page.getByLabel("Confirm new password").fill("a-new-password-2");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("The two passwords don't match.")).toBeVisible();

  const newPassword = `${user.password}-reset`;
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Confirm new password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("heading", { name: "Password changed" })).toBeVisible();
  await expect(page.getByText("we signed you out on every device")).toBeVisible();
  expect(page.url()).not.toContain("token"); // the router's refresh did not bring it back
  expect(requestUrls.filter((url) => url.includes(token))).toEqual([]); // only ever in a POST body

  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await signInThroughUi(page, { ...user, password: newPassword });

  // The same link again (as if clicked in the mail once more): dead.
  await page.goto("/");
  await setNewPassword(page, link, "yet-another-password");
  await expect(page.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
});

test("a reset signs out every other device", async ({ page, user, newContext, signIn, mailbox }) => {
  const phone = await (await newContext()).newPage();
  await signIn(phone.context(), user);
  await phone.goto("/dashboard");
  await expect(phone.getByTestId("user-email")).toHaveText(user.email);

  await askForResetLink(page, user.email);
  await setNewPassword(page, await mailbox.linkFor(user.email, { kind: "reset" }), `${user.password}-reset`);
  await expect(page.getByRole("heading", { name: "Password changed" })).toBeVisible();

  expect(await apiMeStatus(phone)).toBe(401);
  await phone.reload();
  await expect(phone).toHaveURL(/\/login\?next=%2Fdashboard/);
});

test("an unknown address gets the same confirmation, and no mail", async ({ page, user, mailbox }) => {
  const stranger = uniqueUser("nobody").email;
  await askForResetLink(page, stranger);
  const confirmation = (await page.getByRole("main").innerText()).replace(stranger, "<address>");

  // A known address afterwards: its mail arriving means the unknown one's request was handled too.
  await askForResetLink(page, user.email);
  expect((await page.getByRole("main").innerText()).replace(user.email, "<address>")).toBe(confirmation);
  await mailbox.linkFor(user.email, { kind: "reset" });
  expect(await mailbox.count(stranger)).toBe(0);
});

test("a link without its token, or cut short, leads to asking for a new one", async ({ page }) => {
  await page.goto("/reset-password");
  await expect(page.getByRole("heading", { name: "This link is incomplete" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for a reset link" })).toHaveAttribute("href", "/forgot-password");

  await page.goto("/reset-password#token=cut-by-the-mail-client");
  await expect(page.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
  expect(page.url()).not.toContain("token");
});

test("too many reset mails for one address: the wait in words", async ({ page, user, baseURL }) => {
  // Three an hour per address (RATE_LIMIT_RECOVERY_PER_ADDRESS); the fourth is refused.
  for (let i = 0; i < 3; i++) {
    const res = await page.request.post("/api/auth/password/forgot", {
      data: { email: user.email },
      headers: { Origin: baseURL! },
    });
    expect(res.status()).toBe(202);
  }
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText(/^Too many requests\. Try again in \d+ minutes\.$/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeHidden();
});
