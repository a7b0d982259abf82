/**
 * Native apps and other services over real HTTP, against the production build:
 *
 * - the example native client (examples/native-client, run as its CLI) signs in with DPoP, calls
 *   /api/me and the example resource server (examples/resource-server, a child process verifying
 *   through the `main` server's JWKS), refreshes and signs out; stolen tokens are refused; after
 *   revocation the app refuses at once while the other service accepts until expiry (the limit);
 * - key rotation end to end: an app instance of our own, restarted with the sets
 *   `npm run keys:rotate` makes, and a resource server that is never restarted;
 * - a native session on the devices page, ended there.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, importJWK, type CryptoKey } from "jose";
import { SMTPServer } from "smtp-server";
import { createDpopProof, generateDpopKey, type DpopKey } from "@/lib/native/dpop-proof";
import { generateKeySetJson } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";
import { freePort } from "../tests/free-port";
import { expect, test } from "./fixtures";
import { E2E_LIMITS, serverUrl } from "./servers";

const MAIN = serverUrl("main");
const TSX = path.join("node_modules", ".bin", "tsx");
const NEXT = path.join("node_modules", ".bin", "next");

/** A child in its own process group, so stopping it stops whatever it started. */
function startGroup(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stopGroup(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
}

async function waitForHttp(url: string, started: { child: ChildProcess; output: () => string }, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`exited early:\n${started.output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not answer in time:\n${started.output()}`);
}

/** npm run example:resource-server, as a child process. */
async function startResourceServer(appUrl: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = startGroup(TSX, ["examples/resource-server/server.ts"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: url,
    JWKS_URL: `${appUrl}/.well-known/jwks.json`,
    ...extra,
  });
  await waitForHttp(`${url}/api/protected`, started);
  return { url, protectedUrl: `${url}/api/protected`, stop: () => stopGroup(started.child) };
}

/** npm run example:native-client -- <command>, as a child process. */
function runClient(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(TSX, ["examples/native-client/main.ts", ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The client's DPoP key, as it stored it. */
async function keyFromSession(session: {
  dpopKey: { kty: string; crv: string; x: string; y: string; d: string };
}): Promise<DpopKey> {
  const { kty, crv, x, y } = session.dpopKey;
  return {
    privateKey: (await importJWK(session.dpopKey, "ES256")) as CryptoKey,
    publicJwk: { kty, crv, x, y },
    alg: "ES256",
  };
}

/** GET with Authorization (Bearer or DPoP) and, given a key, a fresh proof for that URL. */
async function getWith(url: string, token: string, scheme: "Bearer" | "DPoP", key?: DpopKey) {
  const headers: Record<string, string> = { Authorization: `${scheme} ${token}` };
  if (key) headers.DPoP = await createDpopProof(key, { method: "GET", url, accessToken: token });
  const res = await fetch(url, { headers });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    challenge: res.headers.get("www-authenticate"),
  };
}

async function tokenGrant(appUrl: string, body: Record<string, string>, key?: DpopKey, userAgent = "e2e") {
  const url = `${appUrl}/api/auth/token`;
  const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": userAgent };
  if (key) headers.DPoP = await createDpopProof(key, { method: "POST", url });
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

test.describe("the example native client and resource server", () => {
  let resource: Awaited<ReturnType<typeof startResourceServer>>;

  test.beforeAll(async () => {
    resource = await startResourceServer(MAIN);
  });
  test.afterAll(async () => {
    await resource?.stop();
  });

  test("DPoP sign-in, /api/me, the other service, refresh, sign-out; stolen tokens refused; revocation reaches the other service only at expiry", async ({
    user,
  }) => {
    test.setTimeout(90_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-native-"));
    const tokenFile = path.join(dir, "session.json");
    const env = {
      AUTH_URL: MAIN,
      RESOURCE_URL: resource.url,
      TOKEN_FILE: tokenFile,
      EMAIL: user.email,
      PASSWORD: user.password,
    };
    const client = async (command: string) => {
      // The password grant (AUTH_PASSWORD_GRANT=on on main): the browser sign-in has its own spec.
      const res = await runClient(command === "sign-in" ? [command, "--password"] : [command], env);
      expect(res.code, `${command}: ${res.stderr}`).toBe(0);
      return res.stdout;
    };
    const readSession = () => JSON.parse(fs.readFileSync(tokenFile, "utf8"));

    await test.step("sign in with a DPoP proof: tokens and key stored 0600, the access token bound to the key", async () => {
      expect(await client("sign-in")).toContain("token_type DPoP");
      expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
      const session = readSession();
      expect(decodeJwt(session.accessToken).cnf).toEqual({
        jkt: await calculateJwkThumbprint(session.dpopKey, "sha256"),
      });
    });

    await test.step("/api/me on the app and /api/protected on the other service, with Authorization: DPoP and a proof", async () => {
      expect(await client("me")).toContain(user.email);
      const sub = decodeJwt(readSession().accessToken).sub!;
      expect(await client("protected")).toContain(`{"sub":"${sub}","role":"user"}`);
    });

    const before = readSession();
    await test.step("refresh: a proof from the same key; the refresh token rotates", async () => {
      expect(await client("refresh")).toContain("refresh token rotated");
      const after = readSession();
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(await client("me")).toContain(user.email);
      expect(await client("protected")).toContain('"role":"user"');
    });

    const session = readSession();
    const key = await keyFromSession(session);
    const thief = await generateDpopKey();

    await test.step("a stolen refresh token without the key is refused (and not burnt)", async () => {
      for (const k of [undefined, thief]) {
        const stolen = await tokenGrant(MAIN, { grant_type: "refresh_token", refresh_token: session.refreshToken }, k);
        expect(stolen.status).toBe(400);
        expect(stolen.body.error).toBe("invalid_dpop_proof");
      }
    });

    await test.step("a stolen access token: as Bearer, or with the thief's proof, refused by both", async () => {
      for (const url of [`${MAIN}/api/me`, resource.protectedUrl]) {
        const asBearer = await getWith(url, session.accessToken, "Bearer");
        expect(asBearer.status, url).toBe(401);
        expect(asBearer.challenge, url).toMatch(/^DPoP /);
        expect((await getWith(url, session.accessToken, "DPoP", thief)).status, url).toBe(401);
        expect((await getWith(url, session.accessToken, "DPoP", key)).status, url).toBe(200);
      }
    });

    await test.step("the client refuses a session file readable by others", async () => {
      fs.chmodSync(tokenFile, 0o644);
      const res = await runClient(["me"], env);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/wider than 0600/);
      fs.chmodSync(tokenFile, 0o600);
    });

    await test.step("sign-out revokes: the app refuses at once; the other service accepts until exp (the documented limit)", async () => {
      expect(await client("sign-out")).toContain("signed out");
      expect(fs.existsSync(tokenFile)).toBe(false);
      expect((await getWith(`${MAIN}/api/me`, session.accessToken, "DPoP", key)).status).toBe(401);
      const refreshed = await tokenGrant(
        MAIN,
        { grant_type: "refresh_token", refresh_token: session.refreshToken },
        key,
      );
      expect(refreshed.body.error).toBe("invalid_grant");
      // The resource server verifies signatures and claims only: it cannot know about the revocation
      // until the token's exp (ACCESS_TOKEN_TTL). examples/resource-server/README.md explains.
      const exp = decodeJwt(session.accessToken).exp! * 1000;
      expect(exp).toBeGreaterThan(Date.now());
      const elsewhere = await getWith(resource.protectedUrl, session.accessToken, "DPoP", key);
      expect(elsewhere.status).toBe(200);
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

test.describe("key rotation end to end", () => {
  let smtp: SMTPServer | undefined;
  let app: ChildProcess | undefined;
  let resource: Awaited<ReturnType<typeof startResourceServer>> | undefined;
  let dir: string;

  test.afterAll(async () => {
    await resource?.stop();
    if (app) await stopGroup(app);
    if (smtp) await new Promise((resolve) => smtp!.close(() => resolve(undefined)));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** npm run keys:rotate -- <step>, the current set in AUTH_SIGNING_KEYS: the next set is its stdout. */
  function rotate(step: string, current: string) {
    return new Promise<string>((resolve, reject) => {
      const child = spawn(TSX, ["scripts/rotate-keys.ts", step], {
        env: { ...process.env, AUTH_SIGNING_KEYS: current },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(stderr))));
    });
  }
  const kidsOf = (set: string) => (JSON.parse(set) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  test("a running resource server follows [A] → [A, B] → [B, A] → [B] without a restart", async () => {
    test.setTimeout(180_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-rotation-"));
    // A tiny SMTP sink: production requires SMTP_URL (registration sends a verification mail).
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on("end", () => callback());
      },
    });
    await new Promise<void>((resolve) => smtp!.listen(0, "127.0.0.1", resolve));
    const smtpPort = (smtp.server.address() as net.AddressInfo).port;
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    // One for the app's whole life: queued mail must open after a restart.
    const secretsKey = generateSecretsKey();

    /** next start from the suite's build, on our own port and database, with `keys`. */
    async function startApp(keys: string) {
      if (app) await stopGroup(app);
      const started = startGroup(NEXT, ["start", "-p", String(port), "-H", "127.0.0.1"], {
        NODE_ENV: "production",
        APP_URL: appUrl,
        DATABASE_URL: `file:${path.join(dir, "app.db")}`,
        AUTH_SIGNING_KEYS: keys,
        AUTH_SECRETS_KEY: secretsKey,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        LOG_LEVEL: "warn",
        ...E2E_LIMITS,
        ACCESS_TOKEN_TTL: "15m",
        AUTH_PASSWORD_GRANT: "on",
      });
      app = started.child;
      await waitForHttp(`${appUrl}/api/auth/session`, started);
    }
    const signIn = async () => {
      const res = await tokenGrant(appUrl, { grant_type: "password", email, password });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const kidOf = (token: string) => decodeProtectedHeader(token).kid;
    const atApp = async (token: string) => (await getWith(`${appUrl}/api/me`, token, "Bearer")).status;
    const atService = async (token: string) => (await getWith(resource!.protectedUrl, token, "Bearer")).status;
    const jwksKids = async () =>
      ((await (await fetch(`${appUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );

    const setA = await generateKeySetJson("ES256");
    const [kidA] = kidsOf(setA);
    const email = `rotation-${Date.now().toString(36)}@example.com`;
    const password = "rotation-password-123";

    await startApp(setA);
    resource = await startResourceServer(appUrl, { JWKS_COOLDOWN: "1s", JWKS_CACHE_MAX_AGE: "4s" });
    const registered = await fetch(`${appUrl}/api/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: appUrl },
      body: JSON.stringify({ email, password }),
    });
    expect(registered.status).toBe(201);

    const first = await signIn();
    const tokenA = first.access_token;
    expect(kidOf(tokenA)).toBe(kidA);
    expect(await atService(tokenA)).toBe(200);

    await test.step("1. add: B is published but does not sign", async () => {
      const setAB = await rotate("add", setA);
      const [, kidB] = kidsOf(setAB);
      await startApp(setAB);
      expect(await jwksKids()).toEqual([kidA, kidB]);
      expect(kidOf((await signIn()).access_token)).toBe(kidA);
      expect(await atApp(tokenA)).toBe(200);
      expect(await atService(tokenA)).toBe(200);

      await test.step("2. promote: B signs; A's tokens keep verifying at the app and the service", async () => {
        const setBA = await rotate("promote", setAB);
        await startApp(setBA);
        const tokenB = (await signIn()).access_token;
        expect(kidOf(tokenB)).toBe(kidB);
        expect(await atApp(tokenB)).toBe(200);
        expect(await atApp(tokenA)).toBe(200);
        // B's kid is new to the service: it refetches the JWKS (its cooldown long over). No restart.
        await expect.poll(() => atService(tokenB), { timeout: 5_000 }).toBe(200);
        expect(await atService(tokenA)).toBe(200);
        // Nobody was signed out: the first session's refresh token now yields B's tokens.
        const refreshed = await tokenGrant(appUrl, { grant_type: "refresh_token", refresh_token: first.refresh_token });
        expect(refreshed.status).toBe(200);
        expect(kidOf(refreshed.body.access_token)).toBe(kidB);

        await test.step("3. retire: A's tokens refused by the app at once, by the service once its cache is stale", async () => {
          const setB = await rotate("retire", setBA);
          expect(kidsOf(setB)).toEqual([kidB]);
          await startApp(setB);
          expect(await jwksKids()).toEqual([kidB]);
          expect(await atApp(tokenA)).toBe(401);
          expect(await atApp(tokenB)).toBe(200);
          await expect.poll(() => atService(tokenA), { timeout: 10_000, intervals: [500] }).toBe(401);
          expect(await atService(tokenB)).toBe(200);
        });
      });
    });
  });
});

test.describe("native sessions on the devices page", () => {
  test("an app signed in with DPoP shows as an app, bound to its key; ending it there revokes it", async ({
    signedInPage: page,
    user,
  }) => {
    const key = await generateDpopKey();
    const signedIn = await tokenGrant(
      MAIN,
      { grant_type: "password", email: user.email, password: user.password },
      key,
      "ExampleApp/1.0",
    );
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.token_type).toBe("DPoP");

    await page.goto("/account/sessions");
    const devices = page.getByTestId("device");
    await expect(devices).toHaveCount(2);
    const appRow = devices.filter({ hasText: "ExampleApp/1.0" });
    await expect(appRow).toHaveAttribute("data-client", "native");
    await expect(appRow.getByText("App", { exact: true })).toBeVisible();
    await expect(appRow).toContainText("Bound to this device's key");
    const browserRow = page.locator('[data-testid="device"][data-current="true"]');
    await expect(browserRow).toHaveAttribute("data-client", "browser");
    await expect(browserRow.getByText("App", { exact: true })).toHaveCount(0);

    await appRow.getByRole("button", { name: "Sign out ExampleApp/1.0" }).click();
    await expect(page.getByText("Signed out ExampleApp/1.0. It will need to sign in again.")).toBeVisible();
    await expect(devices).toHaveCount(1);

    const refreshed = await tokenGrant(
      MAIN,
      { grant_type: "refresh_token", refresh_token: signedIn.body.refresh_token },
      key,
      "ExampleApp/1.0",
    );
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe("invalid_grant");
    expect((await getWith(`${MAIN}/api/me`, signedIn.body.access_token, "DPoP", key)).status).toBe(401);
  });
});
