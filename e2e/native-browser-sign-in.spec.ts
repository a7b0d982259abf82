/**
 * A native app signs in through the browser (RFC 8252), end to end against the production build:
 * the example app (examples/native-client, run as its CLI) listens on a loopback port and prints
 * the authorization URL (BROWSER=none: no browser of its own here); the page opens it, lands on the
 * login page, signs in there, and is sent back to the app with a code; the app exchanges it with
 * its PKCE verifier and a DPoP proof and ends with a working DPoP-bound session: /api/me and the
 * example service answer, and the devices page names the app.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { calculateJwkThumbprint, decodeJwt } from "jose";
import { freePort } from "../tests/free-port";
import { ACCESS_COOKIE, expect, test, type Page } from "./fixtures";
import { NATIVE_CLIENT, serverUrl } from "./servers";

const MAIN = serverUrl("main");
const TSX = path.join("node_modules", ".bin", "tsx");

/** The example app as a child process in its own group; its output is collected as it comes. */
function startClient(args: string[], env: Record<string, string>) {
  const child = spawn(TSX, ["examples/native-client/main.ts", ...args], {
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    /* gone */
  }
}

async function run(args: string[], env: Record<string, string>) {
  const started = startClient(args, env);
  const code = await started.exited;
  return { code, stdout: started.stdout(), stderr: started.stderr() };
}

/** The authorization URL the app printed (it could not open a browser). */
async function printedUrl(started: ReturnType<typeof startClient>): Promise<string> {
  let url: string | undefined;
  await expect
    .poll(
      () => {
        if (started.child.exitCode !== null) throw new Error(`the app exited: ${started.stderr()}`);
        url = /(http:\/\/\S+\/api\/auth\/authorize\?\S+)/.exec(started.stdout())?.[1];
        return url;
      },
      { timeout: 30_000 },
    )
    .toBeTruthy();
  return url!;
}

/** The app's loopback page after the redirect. */
async function expectBackInTheApp(page: Page) {
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
  await expect(page.getByRole("heading", { name: "Signed in" })).toBeVisible();
}

test.describe("a native app signs in through the browser", () => {
  test("the printed URL, the login page, back to the app with a code; a DPoP-bound session that calls /api/me and the example service", async ({
    page,
    user,
  }) => {
    test.setTimeout(90_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-native-browser-"));
    const tokenFile = path.join(dir, "session.json");
    // The example service, verifying through the JWKS.
    const port = await freePort();
    const resourceUrl = `http://127.0.0.1:${port}`;
    const resource = spawn(TSX, ["examples/resource-server/server.ts"], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        PUBLIC_URL: resourceUrl,
        JWKS_URL: `${MAIN}/.well-known/jwks.json`,
      },
      detached: true,
      stdio: "ignore",
    });
    const env = { AUTH_URL: MAIN, RESOURCE_URL: resourceUrl, TOKEN_FILE: tokenFile, BROWSER: "none" };
    const app = startClient(["sign-in"], env);
    try {
      const url = await printedUrl(app);
      const authorize = new URL(url);
      await test.step("the URL asks for a code with PKCE S256, state and the app's DPoP key, back to a loopback port", async () => {
        expect(authorize.origin + authorize.pathname).toBe(`${MAIN}/api/auth/authorize`);
        const q = authorize.searchParams;
        expect(q.get("client_id")).toBe(NATIVE_CLIENT.client_id);
        expect(q.get("code_challenge_method")).toBe("S256");
        expect(q.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
        expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(q.get("dpop_jkt")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      });

      await test.step("signed out, the browser is on the login page; signing in there sends it back to the app", async () => {
        await page.goto(url);
        await expect(page).toHaveURL(/\/login\?next=%2Fapi%2Fauth%2Fauthorize/);
        await page.getByLabel("Email").fill(user.email);
        await page.getByLabel("Password").fill(user.password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expectBackInTheApp(page);
      });

      await test.step("the app exchanged the code: tokens bound to its key, stored 0600; nothing secret printed", async () => {
        expect(await app.exited, app.stderr()).toBe(0);
        expect(app.stdout()).toContain("signed in through the browser: token_type DPoP");
        expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
        const session = JSON.parse(fs.readFileSync(tokenFile, "utf8"));
        const jkt = await calculateJwkThumbprint(session.dpopKey, "sha256");
        expect(decodeJwt(session.accessToken).cnf).toEqual({ jkt });
        expect(authorize.searchParams.get("dpop_jkt")).toBe(jkt);
        const code = new URL(page.url()).searchParams.get("code")!;
        for (const secret of [code, session.accessToken, session.refreshToken])
          expect(app.stdout() + app.stderr()).not.toContain(secret);
      });

      await test.step("/api/me and the example service answer the app (Authorization: DPoP with a proof)", async () => {
        const me = await run(["me"], env);
        expect(me.code, me.stderr).toBe(0);
        expect(me.stdout).toContain(user.email);
        const service = await run(["protected"], env);
        expect(service.code, service.stderr).toBe(0);
        expect(service.stdout).toContain('"sub"');
        const refreshed = await run(["refresh"], env);
        expect(refreshed.code, refreshed.stderr).toBe(0);
      });

      await test.step("the devices page names the app, bound to its key", async () => {
        await page.goto(`${MAIN}/account/sessions`);
        await expect(page.getByText(NATIVE_CLIENT.name).first()).toBeVisible();
      });

      await test.step("the browser still signed in: a second sign-in goes straight back to the app", async () => {
        const again = startClient(["sign-in"], { ...env, TOKEN_FILE: path.join(dir, "second.json") });
        try {
          await page.goto(await printedUrl(again));
          await expectBackInTheApp(page);
          expect(await again.exited, again.stderr()).toBe(0);
        } finally {
          stop(again.child);
        }
      });

      await test.step("the access cookie gone, the session alive: the login page renews it silently and goes back to the app", async () => {
        await page.context().clearCookies({ name: ACCESS_COOKIE });
        const third = startClient(["sign-in"], { ...env, TOKEN_FILE: path.join(dir, "third.json") });
        try {
          await page.goto(await printedUrl(third));
          await expectBackInTheApp(page);
          expect(await third.exited, third.stderr()).toBe(0);
        } finally {
          stop(third.child);
        }
      });

      await test.step("signing out revokes the session on the server", async () => {
        const out = await run(["sign-out"], env);
        expect(out.code, out.stderr).toBe(0);
        expect(fs.existsSync(tokenFile)).toBe(false);
      });
    } finally {
      stop(app.child);
      stop(resource);
    }
  });
});
