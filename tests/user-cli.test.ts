/**
 * `npm run user` as an operator runs it: a child process on DATABASE_URL (the engine under test),
 * its exit codes and its one line on stderr, the password piped in or generated and printed once,
 * and the account it made signing in through the app's own route.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";
import { inspectRuntime } from "./db-inspect";

let r: Awaited<ReturnType<typeof loadRoutes>>;

beforeAll(async () => {
  await configureTestEnv();
  r = await loadRoutes();
}, 60_000);

/** Runs `npm run user -- …args` (tsx scripts/user.ts) with `input` on standard input. */
function user(args: string[], input: string | null = null) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "scripts/user.ts", ...args], {
      env: { ...process.env, LOG_LEVEL: "error" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

const signIn = (email: string, password: string) =>
  call(r.login.POST, "/api/auth/login", { body: { email, password }, jar: new CookieJar() });

describe("npm run user", () => {
  it("add: the first administrator from a piped password, who signs in; the password never printed or stored in clear", async () => {
    const password = "piped password for root";
    const added = await user(["add", "Root@Example.com", "--role", "admin", "--name", "Root"], `${password}\n`);
    expect(added).toEqual({ code: 0, stdout: "Created admin root@example.com.\n", stderr: "" });
    const session = await signIn("root@example.com", password);
    expect(session.status).toBe(200);
    expect(session.json.user).toMatchObject({ role: "admin", name: "Root", emailVerified: true });
    expect(await (await inspectRuntime()).rowsContaining(password)).toEqual([]);
    const [event] = (await (await inspectRuntime()).rows("auth_events", { where: { type: "user_created" } })).slice(-1);
    expect(JSON.parse(event.detail as string)).toEqual({ by: "cli", role: "admin" });
  }, 60_000);

  it("add without a password: one generated and printed once; a taken address is exit 1 with one line", async () => {
    const added = await user(["add", "gen@example.com"]);
    expect(added.code).toBe(0);
    const generated = /Password \(shown once[^)]*\): (\S+)/.exec(added.stdout)?.[1];
    expect(generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await signIn("gen@example.com", generated!)).status).toBe(200);
    const again = await user(["add", "GEN@example.com"]);
    expect(again).toEqual({
      code: 1,
      stdout: "",
      stderr: "An account with the address gen@example.com exists already.\n",
    });
  }, 60_000);

  it("role, disable, enable, end-sessions, list; the last administrator kept; usage mistakes exit 2", async () => {
    const password = "ops password 123";
    expect((await user(["add", "ops@example.com"], password)).code).toBe(0);
    expect(await user(["role", "ops@example.com", "admin"])).toMatchObject({
      code: 0,
      stdout: "ops@example.com is now admin.\n",
    });
    expect(await user(["role", "ops@example.com", "root"])).toMatchObject({
      code: 2,
      stderr: "The role must be one of: user, admin.\n",
    });
    const session = await signIn("ops@example.com", password);
    expect(session.status).toBe(200);
    const jar = new CookieJar();
    await call(r.login.POST, "/api/auth/login", { body: { email: "ops@example.com", password }, jar });
    expect(await user(["end-sessions", "ops@example.com"])).toMatchObject({
      code: 0,
      stdout: "Ended 2 sessions of ops@example.com.\n",
    });
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(401);
    expect((await user(["disable", "ops@example.com"])).code).toBe(0);
    expect((await signIn("ops@example.com", password)).json.error).toBe("account_disabled");
    expect((await user(["enable", "ops@example.com"])).code).toBe(0);
    expect((await signIn("ops@example.com", password)).status).toBe(200);
    // Two administrators: root may step down; then ops is the last and may not.
    expect((await user(["role", "root@example.com", "user"])).code).toBe(0);
    expect(await user(["disable", "ops@example.com"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "That is the last enabled administrator: make another one first.\n",
    });
    expect(await user(["disable", "nobody@example.com"])).toMatchObject({
      code: 1,
      stderr: "No account with the address nobody@example.com.\n",
    });
    const listed = await user(["list", "--query", "OPS@"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split("\n")[0]).toMatch(
      /^EMAIL\s+NAME\s+ROLE\s+VERIFIED\s+TWO-STEP\s+DISABLED\s+CREATED\s+LAST SIGN-IN$/,
    );
    expect(listed.stdout.trim().split("\n").slice(1)).toEqual([
      expect.stringMatching(/^ops@example\.com\s+-\s+admin\s+yes\s+off\s+no\s/),
    ]);
    expect(listed.stdout).not.toMatch(/argon2/);
    const unknown = await user(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown command "frobnicate"\.\nUsage: npm run user -- <command>/);
  }, 120_000);
});
