import {
  test as base,
  expect,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
  type Response,
} from "@playwright/test";
import { mailboxFor, type Mailbox } from "./mailbox";
import { E2E_ADMIN, serverUrl, type ServerName } from "./servers";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";

/**
 * QA fixtures: a few lines per auth flow. See "Testing auth flows" in README.md.
 *
 *   test.use({ server: "short" })   // run against the server whose access tokens live 4 s
 *   test.use({ server: "pg" })      // the same lifetimes, on PostgreSQL
 *   test("…", async ({ user, signedInPage, secondTab, cloneContext, signInContext, admin, mailbox }) => …)
 *
 * Every test gets its own unique user; nothing is shared between tests.
 */
export type TestUser = { email: string; password: string; name: string };

export { ACCESS_COOKIE, REFRESH_COOKIE };

let counter = 0;
export function uniqueUser(prefix = "qa"): TestUser {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { email: `${prefix}-${id}@example.com`, password: `pw-${id}-secret`, name: `QA ${id}` };
}

/**
 * Creates an account through the API (not the UI) and returns its credentials. Registering signs
 * in; that session is signed out again, so the new user starts with no sessions (no devices).
 * On a server with EMAIL_VERIFICATION=required there is no session yet: the mailed link, with the
 * password, confirms the address (and signs in: that session is signed out again too), so the
 * user can sign in like anywhere else. (With `optional`, the address stays
 * unconfirmed and the dashboard asks for it.)
 */
export async function createUser(request: APIRequestContext, server: ServerName = "main", user = uniqueUser()) {
  const origin = serverUrl(server);
  const res = await request.post(`${origin}/api/auth/register`, {
    data: { email: user.email, password: user.password, name: user.name },
    headers: { Origin: origin },
  });
  if (res.status() === 202) {
    const link = await mailboxFor(server).linkFor(user.email, { kind: "verify" });
    const token = new URL(link).hash.replace(/^#token=/, "");
    const verified = await request.post(`${origin}/api/auth/email/verify`, {
      data: { token, password: user.password },
      headers: { Origin: origin },
    });
    expect(verified.status(), await verified.text()).toBe(200);
    expect((await request.post(`${origin}/api/auth/logout`, { headers: { Origin: origin } })).status()).toBe(200);
    return user;
  }
  expect(res.status(), await res.text()).toBe(201);
  expect((await request.post(`${origin}/api/auth/logout`, { headers: { Origin: origin } })).status()).toBe(200);
  return user;
}

/**
 * Signs a browser context in through the API (fast; the cookies land in the context's jar, as a
 * real sign-in would leave them). Each call starts a new session (a new "device").
 */
async function signInContext(context: BrowserContext, user: TestUser, server: ServerName = "main") {
  const origin = serverUrl(server);
  const res = await context.request.post(`${origin}/api/auth/login`, {
    data: { email: user.email, password: user.password },
    headers: { Origin: origin },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Signs in through the real form, as a person would. */
export async function signInThroughUi(page: Page, user: TestUser, server: ServerName = "main", next?: RegExp) {
  await page.goto(`${serverUrl(server)}/login`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(next ?? /\/dashboard$/);
}

/** The header's "Sign out" button (the dashboard has one too). */
export function signOutButton(page: Page) {
  return page.getByRole("banner").getByRole("button", { name: "Sign out" });
}

/** Resolves with the next answer of POST /api/auth/refresh on this page (optionally of a given status). */
export function nextRefresh(page: Page, status?: number, timeout = 20_000): Promise<Response> {
  return page.waitForResponse(
    (r) =>
      r.url().endsWith("/api/auth/refresh") &&
      r.request().method() === "POST" &&
      (status === undefined || r.status() === status),
    { timeout },
  );
}

/** GET /api/me with the page's cookies, as the page's own scripts would send it. */
export async function apiMeStatus(page: Page) {
  return page.evaluate(async () => (await fetch("/api/me", { credentials: "same-origin" })).status);
}

type Options = {
  /**
   * Which server the test talks to (e2e/servers.ts): "main" (normal lifetimes), "short" (access 4 s,
   * grace 2 s, step-up after 3 s), "required" (EMAIL_VERIFICATION=required), "pg" (`short` on
   * PostgreSQL) or "local" (`main` on http://localhost, for passkeys, with providers).
   */
  server: ServerName;
};

type Fixtures = {
  /** A fresh account on the chosen server, created through the API. */
  user: TestUser;
  /** `page`, signed in as `user` (through the API) and showing /dashboard. */
  signedInPage: Page;
  /** A second tab in the same browser context as `signedInPage`, also on /dashboard. */
  secondTab: Page;
  /** Opens a fresh browser context (another device) for the chosen server; closed after the test. */
  newContext: () => Promise<BrowserContext>;
  /** Copies a context's cookies (access and refresh) into a brand-new context: the stolen-cookie case. */
  cloneContext: (from: BrowserContext) => Promise<BrowserContext>;
  /** Signs a context in as a user on the chosen server (a new session per call). */
  signIn: (context: BrowserContext, user: TestUser) => Promise<void>;
  /** The administrator seeded into each test database by e2e/start-server.ts. */
  admin: TestUser;
  /**
   * What the chosen server mailed (over real SMTP, see e2e/mailbox-server.ts):
   * `await mailbox.linkFor(email, { kind: "reset" | "verify", after?, timeout? })` waits for the
   * link; `messagesTo(email)` and `count(email)` for the rest.
   */
  mailbox: Mailbox;
};

async function openContext(browser: Browser, baseURL: string, opened: BrowserContext[]) {
  const context = await browser.newContext({ baseURL });
  opened.push(context);
  return context;
}

export const test = base.extend<Options & Fixtures & { opened: BrowserContext[] }>({
  server: ["main", { option: true }],
  baseURL: async ({ server }, use) => {
    await use(serverUrl(server));
  },
  opened: async ({}, use) => {
    const opened: BrowserContext[] = [];
    await use(opened);
    await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
  },
  user: async ({ request, server }, use) => {
    await use(await createUser(request, server));
  },
  signedInPage: async ({ page, user, server }, use) => {
    await signInContext(page.context(), user, server);
    await page.goto("/dashboard");
    await expect(page.getByTestId("user-email")).toHaveText(user.email);
    await use(page);
  },
  secondTab: async ({ signedInPage }, use) => {
    const tab = await signedInPage.context().newPage();
    await tab.goto("/dashboard");
    await expect(tab.getByTestId("user-email")).toBeVisible();
    await use(tab);
  },
  newContext: async ({ browser, baseURL, opened }, use) => {
    await use(() => openContext(browser, baseURL!, opened));
  },
  cloneContext: async ({ browser, baseURL, opened }, use) => {
    await use(async (from) => {
      const copy = await openContext(browser, baseURL!, opened);
      await copy.addCookies(await from.cookies());
      return copy;
    });
  },
  signIn: async ({ server }, use) => {
    await use((context, user) => signInContext(context, user, server));
  },
  admin: async ({}, use) => {
    await use({ ...E2E_ADMIN });
  },
  mailbox: async ({ server }, use) => {
    await use(mailboxFor(server));
  },
});

export { expect };
export type { Page, BrowserContext };
