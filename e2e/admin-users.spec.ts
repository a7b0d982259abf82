import {
  createUser,
  expect,
  signInThroughUi,
  test,
  uniqueUser,
  type BrowserContext,
  type Page,
  type TestUser,
} from "./fixtures";

/**
 * The admin area's user list and user page, as an administrator uses them, signed in as the
 * administrator e2e/start-server.ts seeds into each server's database. One test here makes a second
 * administrator on `main`; the last-administrator test therefore runs on `required`, where no test
 * makes one, and first checks that the seeded administrator is alone there (were it not, the
 * demotion would succeed and every later admin test on that server would fail for a confusing reason).
 */

const FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/** A browser of the administrator's own, signed in just now (so actions need no step-up). */
async function adminPage(newContext: () => Promise<BrowserContext>, signIn: SignIn, admin: TestUser) {
  const context = await newContext();
  await signIn(context, admin);
  return context.newPage();
}
type SignIn = (context: BrowserContext, user: TestUser) => Promise<void>;

/** Finds the account with the list's Search field and opens its page. */
async function openUser(page: Page, who: TestUser) {
  await page.goto("/admin");
  const users = page.getByRole("region", { name: "Users" });
  await users.getByLabel("Search").fill(who.email);
  await expect(users.getByTestId("user-row")).toHaveCount(1);
  await users.getByRole("link", { name: who.email }).click();
  await expect(page).toHaveURL(/\/admin\/users\/[^/]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(who.name);
}

test("an admin searches the user list and opens a user; unknown ids are a 404, plain users are refused", async ({
  user,
  signedInPage: plain,
  admin,
  newContext,
  signIn,
}) => {
  const page = await adminPage(newContext, signIn, admin);
  await page.goto("/admin");
  const users = page.getByRole("region", { name: "Users" });
  await expect(users.getByRole("heading", { name: "Users" })).toBeVisible();

  await users.getByLabel("Search").fill("no-such-person-anywhere");
  await expect(users.getByText("No users match")).toBeVisible();
  await expect(users.getByTestId("user-row")).toHaveCount(0);

  // By name as well as by address; Enter searches at once.
  await users.getByLabel("Search").fill(user.name);
  await users.getByLabel("Search").press("Enter");
  const row = users.getByTestId("user-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(user.email);
  await expect(row).toContainText("User");
  await expect(row).toContainText("Active");
  await expect(page).toHaveURL(/[?&]query=/);

  await row.getByRole("link", { name: user.email }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(user.name);
  await expect(page.getByTestId("detail-email")).toContainText(user.email);
  await expect(page.getByTestId("detail-status")).toHaveText("Active");
  await expect(page.getByRole("region", { name: "Sessions" }).getByTestId("admin-session")).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Recent events" }).getByTestId("events")).toBeVisible();
  const userPage = page.url();

  // Back returns to the same search.
  await page.goBack();
  await expect(users.getByLabel("Search")).toHaveValue(user.name);
  await expect(users.getByTestId("user-row")).toHaveCount(1);

  const unknown = await page.goto("/admin/users/no-such-user");
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

  const refused = await plain.goto(userPage);
  expect(refused?.status()).toBe(403);
  await expect(plain.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");
});

test("the list pages through a search's results 50 at a time", async ({ request, admin, newContext, signIn }) => {
  const tag = uniqueUser("pager").email.split("@")[0];
  const people = Array.from({ length: 51 }, (_, i) => ({ ...uniqueUser(), email: `${tag}-${i}@example.com` }));
  // The first and the last alone, so they are surely the oldest and the newest.
  await createUser(request, "main", people[0]);
  for (let i = 1; i < 50; i += 10) {
    await Promise.all(people.slice(i, Math.min(i + 10, 50)).map((p) => createUser(request, "main", p)));
  }
  await createUser(request, "main", people[50]);

  const page = await adminPage(newContext, signIn, admin);
  await page.goto(`/admin?query=${tag}`);
  const users = page.getByRole("region", { name: "Users" });
  const rows = users.getByTestId("user-row");
  await expect(users.getByLabel("Search")).toHaveValue(tag);
  await expect(rows).toHaveCount(50);
  await expect(users.getByRole("button", { name: "Previous" })).toBeDisabled();
  // Newest first: the last one made leads.
  await expect(rows.first()).toContainText(`${tag}-50@`);

  await users.getByRole("button", { name: "Next page" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText(`${tag}-0@`);
  await expect(users.getByText("Page 2", { exact: true })).toBeVisible();
  await expect(users.getByRole("button", { name: "Next page" })).toBeDisabled();

  await users.getByRole("button", { name: "Previous" }).click();
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText(`${tag}-50@`);
});

test("disabling a signed-in user signs them out and refuses their sign-in; enabling lets them in again", async ({
  user,
  signedInPage: victim,
  admin,
  newContext,
  signIn,
}) => {
  const page = await adminPage(newContext, signIn, admin);
  await openUser(page, user);

  await page.getByRole("button", { name: "Disable account" }).click();
  await page.getByRole("button", { name: "Yes, disable account" }).click();
  await expect(page.getByRole("region", { name: "Actions" }).getByRole("status")).toContainText(
    `Disabled ${user.email}`,
  );
  await expect(page.getByTestId("detail-status")).toHaveText("Disabled: signing in is refused");
  await expect(page.getByRole("region", { name: "Sessions" })).toContainText("No active sessions");

  // The victim's next request: signed out, on the sign-in page.
  await victim.reload();
  await expect(victim).toHaveURL(/\/login\?next=%2Fdashboard/);
  await victim.getByLabel("Email").fill(user.email);
  await victim.getByLabel("Password").fill(user.password);
  await victim.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(victim.getByRole("main").getByRole("alert")).toContainText("This account is disabled");
  await expect(victim).toHaveURL(/\/login/);

  await page.getByRole("button", { name: "Enable account" }).click();
  await page.getByRole("button", { name: "Yes, enable account" }).click();
  await expect(page.getByRole("region", { name: "Actions" }).getByRole("status")).toContainText(
    `Enabled ${user.email}`,
  );
  await expect(page.getByTestId("detail-status")).toHaveText("Active");

  await signInThroughUi(victim, user);
  await expect(victim.getByTestId("user-email")).toHaveText(user.email);
});

test("ending one session from the admin's user page signs that device out, and only that one", async ({
  user,
  signedInPage: laptop,
  admin,
  browser,
  baseURL,
  signIn,
  newContext,
}) => {
  const otherContext = await browser.newContext({ baseURL, userAgent: FIREFOX_ON_WINDOWS });
  try {
    await signIn(otherContext, user);
    const other = await otherContext.newPage();
    await other.goto("/dashboard");
    await expect(other.getByTestId("user-email")).toHaveText(user.email);

    const page = await adminPage(newContext, signIn, admin);
    await openUser(page, user);
    const sessions = page.getByRole("region", { name: "Sessions" }).getByTestId("admin-session");
    await expect(sessions).toHaveCount(2);
    const firefox = sessions.filter({ hasText: "Firefox" });
    await expect(firefox).toContainText("Signed in with");
    await expect(firefox).toContainText("Password");
    await firefox.getByRole("button", { name: "End session" }).click();
    await expect(page.getByRole("region", { name: "Sessions" }).getByRole("status")).toContainText(
      "Ended the session on Firefox 133 on Windows",
    );
    await expect(sessions).toHaveCount(1);
    await expect(sessions).not.toContainText("Firefox");

    await other.reload();
    await expect(other).toHaveURL(/\/login\?next=%2Fdashboard/);
    await expect(other.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();

    await laptop.reload();
    await expect(laptop.getByTestId("user-email")).toHaveText(user.email);
  } finally {
    await otherContext.close();
  }
});

test("making a user an administrator gives them the admin page, and they may step down again", async ({
  user,
  signedInPage: person,
  admin,
  newContext,
  signIn,
}) => {
  expect((await person.goto("/admin"))?.status()).toBe(403);

  const page = await adminPage(newContext, signIn, admin);
  await openUser(page, user);
  const userPage = page.url();
  try {
    await page.getByLabel("Role").selectOption({ label: "Administrator" });
    await page.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("group", { name: "Confirm the role change" })).toContainText(
      `Make ${user.email} an administrator?`,
    );
    await page.getByRole("button", { name: "Yes, change role" }).click();
    await expect(page.getByRole("region", { name: "Actions" }).getByRole("status")).toContainText(
      "role is now Administrator",
    );
    await expect(page.getByTestId("detail-role")).toHaveText("Administrator");

    // Their old access token stopped; the sign-in page renews it silently and comes back with the new role.
    await person.goto("/admin");
    await expect(person).toHaveURL(/\/admin$/);
    await expect(person.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
    await expect(person.getByRole("region", { name: "Users" }).getByLabel("Search")).toBeVisible();

    // With two administrators, the new one may step down: their own page turns into the refusal.
    await openUser(person, user);
    await expect(person.getByRole("heading", { level: 1 })).toHaveText(user.name);
    await person.getByLabel("Role").selectOption({ label: "User" });
    await person.getByRole("button", { name: "Change role" }).click();
    await expect(person.getByRole("group", { name: "Confirm the role change" })).toContainText(
      "Make your own account a regular user? You lose the admin area at once.",
    );
    await person.getByRole("button", { name: "Yes, change role" }).click();
    await expect(person.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");
    await page.reload();
    await expect(page.getByTestId("detail-role")).toHaveText("User");
  } finally {
    // Back to one administrator, as the other tests on this server found it.
    await page.goto(userPage);
    if ((await page.getByTestId("detail-role").textContent()) === "Administrator") {
      await page.getByLabel("Role").selectOption({ label: "User" });
      await page.getByRole("button", { name: "Change role" }).click();
      await page.getByRole("button", { name: "Yes, change role" }).click();
      await expect(page.getByTestId("detail-role")).toHaveText("User");
    }
  }
});

test('an action asks "Confirm it\'s you" when the sign-in is not recent, and Cancel changes nothing', async ({
  user,
  admin,
  newContext,
  signIn,
}) => {
  const page = await adminPage(newContext, signIn, admin);
  await openUser(page, user);
  // The administrator signed in just now, so the server would not ask yet: its first answer to
  // each action here is the one it gives once STEP_UP_MAX_AGE has passed. The retry is real.
  const askOnce = async (url: string) => {
    let asked = false;
    await page.route(url, async (route) => {
      if (asked) return route.continue();
      asked = true;
      await route.fulfill({
        status: 401,
        json: { error: "reauthentication_required", message: "Confirm it's you to continue." },
      });
    });
  };
  const dialog = page.getByRole("dialog", { name: "Confirm it's you" });
  const actions = page.getByRole("region", { name: "Actions" });

  await askOnce("**/api/admin/users/*/disable");
  await page.getByRole("button", { name: "Disable account" }).click();
  await page.getByRole("button", { name: "Yes, disable account" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Password").fill(admin.password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(actions.getByRole("status")).toContainText(`Disabled ${user.email}`);
  await expect(page.getByTestId("detail-status")).toHaveText("Disabled: signing in is refused");

  await askOnce("**/api/admin/users/*/enable");
  await page.getByRole("button", { name: "Enable account" }).click();
  await page.getByRole("button", { name: "Yes, enable account" }).click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(actions.getByRole("status")).toHaveText("Nothing changed: this needs you to confirm it's you first.");
  await page.reload();
  await expect(page.getByTestId("detail-status")).toHaveText("Disabled: signing in is refused");
});

/** The enabled administrators the admin API lists, every page of it. */
async function enabledAdministrators(page: Page): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await page.request.get(`/api/admin/users${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status()).toBe(200);
    const body = (await res.json()) as {
      users: { email: string; role: string; disabled: boolean }[];
      nextCursor: string | null;
    };
    found.push(...body.users.filter((u) => u.role === "admin" && !u.disabled).map((u) => u.email));
    cursor = body.nextCursor;
  } while (cursor);
  return found;
}

test.describe("on a server where nobody else is made an administrator", () => {
  test.use({ server: "required" });

  test("the last administrator can neither demote nor disable themselves", async ({ admin, newContext, signIn }) => {
    const page = await adminPage(newContext, signIn, admin);
    expect(await enabledAdministrators(page), "the seeded administrator must be the only one here").toEqual([
      admin.email,
    ]);
    await openUser(page, admin);
    const actions = page.getByRole("region", { name: "Actions" });

    await page.getByLabel("Role").selectOption({ label: "User" });
    await page.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("group", { name: "Confirm the role change" })).toContainText(
      "Make your own account a regular user?",
    );
    await page.getByRole("button", { name: "Yes, change role" }).click();
    await expect(actions.getByRole("alert")).toHaveText("At least one enabled administrator must remain.");
    await expect(page.getByTestId("detail-role")).toHaveText("Administrator");
    await expect(page.getByLabel("Role")).toHaveValue("admin");

    await page.getByRole("button", { name: "Disable account" }).click();
    await page.getByRole("button", { name: "Yes, disable account" }).click();
    await expect(actions.getByRole("alert")).toHaveText("At least one enabled administrator must remain.");
    await expect(page.getByTestId("detail-status")).toHaveText("Active");

    // Still an administrator, still signed in.
    await page.reload();
    await expect(page.getByTestId("detail-role")).toHaveText("Administrator");
  });
});
