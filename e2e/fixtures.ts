import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { serverUrl, type ServerName } from "./servers";

/**
 * QA fixtures. Each test gets its own unique user; `api` talks to the server as the browser
 * does (same-origin Origin header, JSON bodies).
 */
export type TestUser = { email: string; password: string; name: string };

let counter = 0;
export function uniqueUser(prefix = "qa"): TestUser {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { email: `${prefix}-${id}@example.com`, password: `pw-${id}-secret`, name: `QA ${id}` };
}

/** Creates an account through the API (not the UI) and returns its credentials. */
export async function createUser(request: APIRequestContext, server: ServerName = "main", user = uniqueUser()) {
  const origin = serverUrl(server);
  const res = await request.post(`${origin}/api/auth/register`, {
    data: { email: user.email, password: user.password, name: user.name },
    headers: { Origin: origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  return user;
}

/** Signs in through the real form, as a person would. */
export async function signInThroughUi(page: Page, user: TestUser, server: ServerName = "main") {
  await page.goto(`${serverUrl(server)}/login`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

export const test = base.extend<{ user: TestUser }>({
  user: async ({ request }, use) => {
    await use(await createUser(request));
  },
});

export { expect };
