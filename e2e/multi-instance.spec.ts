/**
 * Two production instances on one PostgreSQL database, over raw HTTP (no browser), the way a load
 * balancer would spread one user's requests:
 *
 * - a refresh race between the instances mints one successor, the other answer is the grace answer;
 * - sign-out, sign-out everywhere and reuse detection on one instance are seen on the other within
 *   100 ms (each server's full check answers from memory, fed by the database's revocation notices:
 *   docs/decisions/pushed-revocation.md), and at once by the refresh route (which always reads);
 * - the per-account back-off counts the same whichever instance a guess goes to;
 * - an instance killed (SIGKILL) mid-traffic and restarted signs nobody out: a rotation committed
 *   without its answer reaching the client is a lost answer, not a theft (lib/auth/rotation.ts);
 * - the database stopped mid-traffic: clean 503s with Retry-After meanwhile (no 500, no crash, no
 *   stack or password in an answer or a log line), and both instances serve again once it is back,
 *   without a restart.
 *
 * One throwaway cluster (tests/pg-cluster.ts) and two `next start` processes from the suite's build
 * (playwright.config.ts builds it), each in its own process group on its own free port. APP_URL is
 * each instance's own origin (every state-changing request sends the Origin of the instance it goes
 * to); everything else is the same: DATABASE_URL, AUTH_SIGNING_KEYS, and AUTH_ISSUER/AUTH_AUDIENCE
 * set explicitly, so a token minted by one verifies on the other.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { generateKeySetJson } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";
import { createDatabase, startCluster, type Cluster } from "../tests/pg-cluster";
import { freePort } from "../tests/free-port";
import { expect, test } from "./fixtures";

test.describe.configure({ mode: "serial" });

const NEXT = path.join("node_modules", ".bin", "next");
/** The same on both instances, and different from either APP_URL. */
const ISSUER = "https://auth.multi-instance.test";
const GRACE_MS = 2000;
const LOGIN_PER_ACCOUNT = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One `next start` in a process group of its own; `output` keeps stdout and stderr of every run. */
class Instance {
  readonly url: string;
  child: ChildProcess | undefined;
  output = "";
  starts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    const child = spawn(NEXT, ["start", "-p", String(this.port), "-H", "127.0.0.1"], {
      env: { ...process.env, ...this.env, APP_URL: this.url },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.starts++;
    child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${this.name} exited while starting:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/api/auth/session`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    throw new Error(`${this.name} did not answer in time:\n${this.output}`);
  }

  private async signal(signal: NodeJS.Signals, wait: number) {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return;
    }
    await Promise.race([exited, sleep(wait)]);
  }

  /** SIGKILL to the whole group: no shutdown, answers in flight are lost. */
  kill() {
    return this.signal("SIGKILL", 10_000);
  }

  async stop() {
    await this.signal("SIGTERM", 10_000);
    await this.kill();
  }

  /** For the worker's exit: synchronous. */
  killNow() {
    if (this.running)
      try {
        process.kill(-this.child!.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
  }
}

type Answer = {
  status: number;
  text: string;
  body: Record<string, unknown>;
  headers: Headers;
  /** Cookies set with a value (cleared ones are left out). */
  access?: string;
  refresh?: string;
  sentAt: number;
  answeredAt: number;
};

/** One HTTP request; throws on a network error (refused, reset, timed out). */
async function call(
  instance: Instance,
  method: "GET" | "POST",
  pathname: string,
  options: { json?: unknown; cookies?: Record<string, string | undefined> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (method === "POST") headers.Origin = instance.url;
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  const cookies = Object.entries(options.cookies ?? {}).filter(([, v]) => v);
  if (cookies.length) headers.Cookie = cookies.map(([k, v]) => `${k}=${v}`).join("; ");
  const sentAt = Date.now();
  const res = await fetch(`${instance.url}${pathname}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: the assertions say so */
  }
  const answer: Answer = { status: res.status, text, body, headers: res.headers, sentAt, answeredAt: Date.now() };
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0];
    const name = pair.slice(0, pair.indexOf("=")).trim();
    const value = pair.slice(pair.indexOf("=") + 1).trim();
    if (!value) continue;
    if (name === ACCESS_COOKIE) answer.access = value;
    if (name === REFRESH_COOKIE) answer.refresh = value;
  }
  return answer;
}

type Session = { email: string; password: string; familyId: string; access: string; refresh: string };

let counter = 0;
async function register(instance: Instance, prefix: string): Promise<Session> {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}`;
  const email = `${prefix}-${id}@multi.example.com`;
  const password = `pw-${id}-multi-instance`;
  const res = await call(instance, "POST", "/api/auth/register", { json: { email, password } });
  expect(res.status, res.text).toBe(201);
  return { email, password, familyId: String(res.body.sessionId), access: res.access!, refresh: res.refresh! };
}

async function login(instance: Instance, email: string, password: string) {
  return call(instance, "POST", "/api/auth/login", { json: { email, password } });
}

const refreshOn = (instance: Instance, token: string) =>
  call(instance, "POST", "/api/auth/refresh", { cookies: { [REFRESH_COOKIE]: token } });

const me = (instance: Instance, access: string) =>
  call(instance, "GET", "/api/me", { cookies: { [ACCESS_COOKIE]: access } });

/** Milliseconds from now until `instance` refuses `access` (polled every 5 ms, at most 2 s). */
async function refusedAfter(instance: Instance, access: string): Promise<number> {
  const start = Date.now();
  for (;;) {
    const status = (await me(instance, access)).status;
    if (status === 401) return Date.now() - start;
    expect(status).toBe(200);
    if (Date.now() - start > 2_000) throw new Error(`${instance.name} still accepts a revoked token after 2 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let cluster: Cluster | undefined;
let smtp: SMTPServer | undefined;
let db: pg.Pool | undefined;
let A: Instance;
let B: Instance;
const instances = () => [A, B] as const;
const other = (instance: Instance) => (instance === A ? B : A);

async function query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await db!.query(text, params)).rows as T[];
}

/** How many auth events of a type the given accounts have. */
async function eventCount(type: string, emails: string[]): Promise<number> {
  const rows = await query<{ n: number }>(
    "select count(*)::int as n from auth_events e join users u on u.id = e.user_id where e.type = $1 and u.email = any($2)",
    [type, emails],
  );
  return rows[0].n;
}

/**
 * PostgreSQL's commit_delay, on the running server (every connection, at its next statement). Slow
 * commits, as with a synchronous standby: a rotation then spends most of its time between sending
 * COMMIT and hearing back, so an instance killed mid-traffic loses answers of rotations that did
 * commit (the lost-answer case), not only of ones that had not.
 */
async function setCommitDelay(microseconds: number) {
  await query(`alter system set commit_delay = ${Math.trunc(microseconds)}`);
  await query("select pg_reload_conf()");
  await sleep(200);
}

/** The local ports of an instance's connections to the database: its process group's sockets (/proc). */
function databasePorts(instance: Instance): Set<number> {
  const group = instance.child!.pid!;
  const inodes = new Set<string>();
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // pid (comm) state ppid pgrp …
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== group) continue;
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        const socket = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (socket) inodes.add(socket[1]);
      }
    } catch {
      /* gone meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const line of fs.readFileSync("/proc/net/tcp", "utf8").trim().split("\n").slice(1)) {
    const [, local, remote, , , , , , , inode] = line.trim().split(/\s+/);
    if (parseInt(remote.split(":")[1], 16) === cluster!.port && inodes.has(inode))
      ports.add(parseInt(local.split(":")[1], 16));
  }
  return ports;
}

/**
 * SIGKILL to an instance at a moment one of its transactions is committing (its COMMIT or a
 * rotation's single UPDATE sent, the server waiting out commit_delay): that rotation commits, and its answer never leaves. Returns
 * whether such a moment was found (else it kills anyway after `timeout`).
 */
async function killMidCommit(instance: Instance, timeout = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const committing = await query<{ client_port: number }>(
      // A unit's COMMIT, or a plain rotation (one UPDATE of the family row, committing on its own).
      "select client_port from pg_stat_activity where datname = current_database() and state = 'active' and (query ilike 'commit%' or query ilike 'update \"refresh_families\"%')",
    );
    if (committing.length) {
      const ports = databasePorts(instance);
      if (committing.some((row) => ports.has(row.client_port))) {
        await instance.kill();
        return true;
      }
    }
    await sleep(5);
  }
  await instance.kill();
  return false;
}

/** The worker may end without afterAll (a timeout, an interrupt): no server or cluster may outlive it. */
function killEverything() {
  A?.killNow();
  B?.killNow();
  cluster?.destroy();
  cluster = undefined;
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  process.once("exit", killEverything);
  // Commits that wait for their WAL flush, so that commit_delay (setCommitDelay) can slow them.
  cluster = await startCluster({ settings: { fsync: "on", synchronous_commit: "on", commit_siblings: 0 } });
  const url = await createDatabase(cluster.url);
  db = new pg.Pool({ connectionString: url, max: 2 });
  db.on("error", () => undefined);
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
  const env = {
    NODE_ENV: "production",
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: "5",
    AUTH_SIGNING_KEYS: await generateKeySetJson("ES256"),
    // Shared like the signing keys: a mail one instance queues, any instance must open.
    AUTH_SECRETS_KEY: generateSecretsKey(),
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: ISSUER,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    ACCESS_TOKEN_TTL: "15m",
    REFRESH_TOKEN_TTL: "1h",
    SESSION_MAX_AGE: "1d",
    REFRESH_REUSE_GRACE: `${GRACE_MS / 1000}s`,
    // On, with a small per-account number for the back-off test; the per-IP budgets stay above
    // what this file sends from 127.0.0.1.
    AUTH_RATE_LIMIT: "on",
    RATE_LIMIT_LOGIN_PER_ACCOUNT: String(LOGIN_PER_ACCOUNT),
    RATE_LIMIT_LOGIN_PER_IP: "500",
    RATE_LIMIT_REGISTER_PER_IP: "500",
    RATE_LIMIT_REFRESH_PER_IP: "500",
    // The production default: whatever the app logs at info, the checks below read.
    LOG_LEVEL: "info",
  };
  A = new Instance("A", await freePort(), env);
  B = new Instance("B", await freePort(), env);
  // Together on an empty database: one applies the migrations, the other waits for its lock.
  await Promise.all([A.start(), B.start()]);
});

test.afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  if (smtp) await new Promise((resolve) => smtp!.close(() => resolve(undefined)));
  await db?.end().catch(() => undefined);
  cluster?.destroy();
  cluster = undefined;
  process.off("exit", killEverything);
});

// What the servers printed, kept with a failed test's results (test-results/…/instance-*.log).
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const instance of instances().filter(Boolean)) {
    const file = testInfo.outputPath(`instance-${instance.name}.log`);
    fs.writeFileSync(file, instance.output);
    await testInfo.attach(`instance-${instance.name}.log`, { path: file, contentType: "text/plain" });
  }
});

test("a refresh race across the instances: one successor in total, the other gets the grace answer, nobody signed out", async () => {
  const session = await register(A, "race");
  const rounds = 6;
  const winners: string[] = [];
  for (let round = 0; round < rounds; round++) {
    // The same token to both at the same moment, as two tabs behind a load balancer would.
    const answers = await Promise.all(instances().map((i) => refreshOn(i, session.refresh)));
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(200);
      expect(answer.access).toBeTruthy();
    }
    const minted = answers.filter((a) => a.refresh);
    expect(minted, `round ${round}: exactly one successor`).toHaveLength(1);
    winners.push(answers[0].refresh ? "A" : "B");
    // Each access token, the grace answer's too, is good on the other instance.
    for (const [index, answer] of answers.entries()) {
      expect((await me(instances()[1 - index], answer.access!)).status).toBe(200);
    }
    session.refresh = minted[0].refresh!;
    session.access = minted[0].access!;
  }
  const tokens = await query<{ generation: number }>("select generation from refresh_families where id = $1", [
    session.familyId,
  ]);
  expect(tokens[0].generation, "one successor per round").toBe(rounds);
  const family = await query<{ revoked_at: number | null }>("select revoked_at from refresh_families where id = $1", [
    session.familyId,
  ]);
  expect(family[0].revoked_at).toBeNull();
  expect(await eventCount("refresh_grace", [session.email])).toBe(rounds);
  expect(await eventCount("refresh_reuse_detected", [session.email])).toBe(0);
  for (const instance of instances()) expect((await me(instance, session.access)).status).toBe(200);
  test.info().annotations.push({ type: "race winners", description: winners.join(" ") });
});

test("sign-out and sign-out everywhere on A are seen by B within 100 ms", async () => {
  await test.step("sign-out on A: B refuses the access token within 100 ms, the refresh token at once", async () => {
    const session = await register(A, "logout");
    // Twice: the second answer comes from B's memory.
    expect((await me(B, session.access)).status).toBe(200);
    expect((await me(B, session.access)).status).toBe(200);
    const out = await call(A, "POST", "/api/auth/logout", {
      cookies: { [ACCESS_COOKIE]: session.access, [REFRESH_COOKIE]: session.refresh },
    });
    expect(out.status, out.text).toBe(200);
    const delay = await refusedAfter(B, session.access);
    test.info().annotations.push({ type: "sign-out seen on B after (ms)", description: String(delay) });
    expect(delay).toBeLessThan(100);
    expect((await me(A, session.access)).status).toBe(401);
    const refreshed = await refreshOn(B, session.refresh);
    expect(refreshed.status).toBe(401);
    expect(refreshed.refresh).toBeUndefined();
  });

  await test.step("sign-out everywhere on A: every session of the user ends on B at once", async () => {
    const first = await register(B, "everywhere");
    const onB = await login(B, first.email, first.password);
    const onA = await login(A, first.email, first.password);
    expect(onB.status).toBe(200);
    expect(onA.status).toBe(200);
    const others = [first, { access: onB.access!, refresh: onB.refresh! }];
    for (const s of others) expect((await me(B, s.access)).status).toBe(200);
    const out = await call(A, "POST", "/api/auth/logout-all", { cookies: { [ACCESS_COOKIE]: onA.access } });
    expect(out.status, out.text).toBe(200);
    for (const s of [...others, { access: onA.access!, refresh: onA.refresh! }]) {
      expect(await refusedAfter(B, s.access)).toBeLessThan(100);
      expect((await me(A, s.access)).status).toBe(401);
      expect((await refreshOn(B, s.refresh)).status).toBe(401);
    }
  });
});

test("reuse detected across the instances: the parent replayed on B past the grace window ends the family on both", async () => {
  const session = await register(A, "reuse");
  const parent = session.refresh;
  const first = await refreshOn(A, parent);
  expect(first.refresh).toBeTruthy();
  const second = await refreshOn(A, first.refresh!);
  expect(second.refresh, "the successor was used").toBeTruthy();
  expect((await me(B, second.access!)).status).toBe(200);
  await sleep(GRACE_MS + 300);

  const replay = await refreshOn(B, parent);
  expect(replay.status).toBe(401);
  expect(replay.body.error).toBe("session_revoked_reuse");
  for (const instance of instances()) {
    const live = await refreshOn(instance, second.refresh!);
    expect(live.status, `${instance.name}: the live token is dead too`).toBe(401);
    expect(live.body.error).toBe("session_revoked_reuse");
    expect((await me(instance, second.access!)).status).toBe(401);
  }
  expect(await eventCount("refresh_reuse_detected", [session.email])).toBe(1);
  const family = await query<{ revoked_reason: string }>("select revoked_reason from refresh_families where id = $1", [
    session.familyId,
  ]);
  expect(family[0].revoked_reason).toBe("reuse_detected");
});

test("the per-account back-off is shared: wrong passwords alternating between A and B are refused at the same attempt as on one instance", async () => {
  /** Wrong passwords until a 429; the attempt number that got it. */
  async function attemptsUntilRefused(email: string, pick: (attempt: number) => Instance) {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const res = await login(pick(attempt), email, "not-the-password");
      if (res.status === 429) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        return attempt;
      }
      expect(res.status, res.text).toBe(401);
    }
    throw new Error("never refused");
  }
  const alone = await register(A, "limit-one");
  const spread = await register(B, "limit-two");
  const onOne = await attemptsUntilRefused(alone.email, () => A);
  const alternating = await attemptsUntilRefused(spread.email, (attempt) => (attempt % 2 ? A : B));
  // RATE_LIMIT_LOGIN_PER_ACCOUNT free failures, the next one starts a 2 s back-off, the one after is refused.
  expect(onOne).toBe(LOGIN_PER_ACCOUNT + 2);
  expect(alternating).toBe(onOne);
  // The lock is the account's wherever the next guess goes, the right password included.
  for (const instance of instances()) {
    expect((await login(instance, spread.email, spread.password)).status).toBe(429);
  }
  test.info().annotations.push({
    type: "back-off",
    description: `429 at attempt ${onOne} on A alone, ${alternating} alternating A/B`,
  });
});

type Traffic = {
  sessions: Session[];
  stop: boolean;
  rotations: number;
  graceAnswers: number;
  /** Requests whose answer never came (refused, reset): retried on the other instance. */
  lostInFlight: Record<string, number>;
  refused: Record<string, number>;
  /** Any 5xx, and any failure that would sign a session out. */
  serverErrors: string[];
  signedOut: string[];
  loops: Promise<void>[];
};

function isRefused(error: unknown) {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === "ECONNREFUSED";
}

/**
 * Each session refreshes in a loop, spread over both instances; after a network error or a 5xx it
 * retries at once on the other instance with the token it still holds, as a client behind a load
 * balancer would. Every successful refresh is followed by /api/me.
 */
function startTraffic(sessions: Session[]): Traffic {
  const traffic: Traffic = {
    sessions,
    stop: false,
    rotations: 0,
    graceAnswers: 0,
    lostInFlight: { A: 0, B: 0 },
    refused: { A: 0, B: 0 },
    serverErrors: [],
    signedOut: [],
    loops: [],
  };
  const loop = async (session: Session, index: number) => {
    let turn = index;
    while (!traffic.stop) {
      const first = instances()[turn++ % 2];
      let served: Instance | undefined;
      for (const instance of [first, other(first)]) {
        let answer: Answer;
        try {
          answer = await refreshOn(instance, session.refresh);
        } catch (error) {
          if (isRefused(error)) traffic.refused[instance.name]++;
          else traffic.lostInFlight[instance.name]++;
          continue;
        }
        if (answer.status >= 500) {
          traffic.serverErrors.push(`${instance.name} refresh ${answer.status} ${answer.text}`);
          continue;
        }
        if (answer.status !== 200) {
          traffic.signedOut.push(`${session.email} on ${instance.name}: ${answer.status} ${answer.text}`);
          return;
        }
        session.access = answer.access!;
        if (answer.refresh) {
          session.refresh = answer.refresh;
          traffic.rotations++;
        } else traffic.graceAnswers++;
        served = instance;
        break;
      }
      if (!served) {
        await sleep(100);
        continue;
      }
      try {
        const answer = await me(served, session.access);
        if (answer.status >= 500) traffic.serverErrors.push(`${served.name} /api/me ${answer.status} ${answer.text}`);
        else if (answer.status !== 200)
          traffic.signedOut.push(`${session.email} /api/me on ${served.name}: ${answer.status}`);
      } catch {
        /* the instance died under it: the next turn goes elsewhere */
      }
    }
  };
  traffic.loops = sessions.map((session, index) => loop(session, index));
  return traffic;
}

async function stopTraffic(traffic: Traffic) {
  traffic.stop = true;
  await Promise.all(traffic.loops);
}

/** After the grace window: each session refreshes on A, then on B, and /api/me answers on both. */
async function expectAllAlive(sessions: Session[]) {
  await sleep(GRACE_MS + 200);
  for (const session of sessions) {
    for (const instance of instances()) {
      const answer = await refreshOn(instance, session.refresh);
      expect(answer.status, `${session.email} on ${instance.name}: ${answer.text}`).toBe(200);
      expect(answer.refresh, "a new refresh token").toBeTruthy();
      session.refresh = answer.refresh!;
      session.access = answer.access!;
    }
    for (const instance of instances()) expect((await me(instance, session.access)).status).toBe(200);
  }
}

test("instances killed (SIGKILL) and restarted mid-traffic: all 6 sessions survive, lost answers are recovered, not taken for theft", async () => {
  test.setTimeout(120_000);
  const sessions: Session[] = [];
  for (let i = 0; i < 6; i++) sessions.push(await register(instances()[i % 2], "kill"));
  const emails = sessions.map((s) => s.email);
  await setCommitDelay(100_000);
  const traffic = startTraffic(sessions);
  const kills: string[] = [];
  try {
    for (const victim of [A, B]) {
      await sleep(1500);
      const before = traffic.rotations;
      const midCommit = await killMidCommit(victim);
      const killedAt = Date.now();
      expect(midCommit, `${victim.name} was seen committing`).toBe(true);
      await sleep(1000);
      await victim.start();
      kills.push(`${victim.name} killed after ${before} rotations, back after ${Date.now() - killedAt} ms`);
    }
    // Past the grace window: every client that lost an answer has presented its parent again.
    await sleep(GRACE_MS + 500);
  } finally {
    await stopTraffic(traffic);
    await setCommitDelay(0);
  }
  expect(traffic.signedOut, "nobody was signed out").toEqual([]);
  expect(traffic.serverErrors, "no 5xx from the surviving instance").toEqual([]);
  expect(await eventCount("refresh_reuse_detected", emails)).toBe(0);
  expect(A.starts + B.starts).toBe(4);

  await expectAllAlive(sessions);

  // A rotation that committed on a killed instance without its answer reaching the client: the
  // client presented the parent again, got the grace answer within the window, and past it a fresh
  // successor in place of the lost one (refresh_recovered; the lost one is superseded, never used).
  const recovered = await eventCount("refresh_recovered", emails);
  expect(recovered, "some rotations committed without their answer reaching the client").toBeGreaterThan(0);
  const revoked = await query<{ n: number }>(
    "select count(*)::int as n from refresh_families f join users u on u.id = f.user_id where u.email = any($1) and f.revoked_at is not null",
    [emails],
  );
  expect(revoked[0].n).toBe(0);
  const summary =
    `${kills.join("; ")}. ${traffic.rotations} rotations, ${traffic.graceAnswers} grace answers; ` +
    `answers lost in flight A ${traffic.lostInFlight.A}, B ${traffic.lostInFlight.B}; ` +
    `refused while down A ${traffic.refused.A}, B ${traffic.refused.B}; ` +
    `rotations committed without their answer (recovered): ${recovered}`;
  console.log(`multi-instance kill: ${summary}`);
  test.info().annotations.push({ type: "kill", description: summary });
});

test("the database restarted mid-traffic: clean 503s meanwhile, /api/me answers 200 again within 20 s on both, no instance restarted", async () => {
  test.setTimeout(90_000);
  const sessions: Session[] = [];
  for (let i = 0; i < 4; i++) sessions.push(await register(instances()[i % 2], "outage"));
  const pids = instances().map((i) => i.child!.pid);
  const outputFrom = instances().map((i) => i.output.length);
  const password = cluster!.password;

  type Sent = { instance: string; path: string; answer?: Answer; error?: string; sentAt: number };
  const seen: Sent[] = [];
  let stop = false;
  /** Per instance: /api/me and a refresh in turn, for each of two sessions; no retries here. */
  const loop = async (instance: Instance, session: Session) => {
    while (!stop) {
      for (const pathname of ["/api/me", "/api/auth/refresh"]) {
        const sentAt = Date.now();
        try {
          const answer =
            pathname === "/api/me" ? await me(instance, session.access) : await refreshOn(instance, session.refresh);
          seen.push({ instance: instance.name, path: pathname, answer, sentAt });
          if (pathname !== "/api/me" && answer.status === 200) {
            session.access = answer.access!;
            if (answer.refresh) session.refresh = answer.refresh;
          }
        } catch (error) {
          seen.push({ instance: instance.name, path: pathname, error: String(error), sentAt });
        }
      }
      await sleep(25);
    }
  };
  const loops = sessions.map((session, index) => loop(instances()[index % 2], session));

  let outageFrom = 0;
  let outageTo = 0;
  const back: Record<string, number> = {};
  try {
    await sleep(1000);
    cluster!.stop("fast");
    outageFrom = Date.now();
    await sleep(3000);
    outageTo = Date.now();
    cluster!.start();
    const restarted = Date.now();
    // /api/me on each instance, polled until it answers 200 again.
    await Promise.all(
      instances().map(async (instance, index) => {
        for (;;) {
          const answer = await me(instance, sessions[index].access).catch(() => undefined);
          if (answer?.status === 200) break;
          expect(Date.now() - restarted, `${instance.name} is still not answering 200`).toBeLessThan(20_000);
          await sleep(100);
        }
        back[instance.name] = Date.now() - restarted;
      }),
    );
    await sleep(1000);
  } finally {
    stop = true;
    await Promise.all(loops);
  }

  // Every answer is a 200 or a clean 503: no 500, no sign-out, no network error (no crash).
  for (const s of seen) {
    expect(s.error, `${s.instance} ${s.path}`).toBeUndefined();
    expect([200, 503], `${s.instance} ${s.path}: ${s.answer!.text}`).toContain(s.answer!.status);
  }
  const unavailable = seen.filter((s) => s.answer!.status === 503);
  for (const s of unavailable) {
    expect(s.answer!.body.error).toBe("service_unavailable");
    expect(Number(s.answer!.headers.get("retry-after"))).toBeGreaterThan(0);
  }
  // Sent and answered while the server was down: all 503, on both instances, on both routes.
  const during = seen.filter((s) => s.sentAt >= outageFrom && s.answer!.answeredAt <= outageTo);
  expect(during.length).toBeGreaterThan(20);
  expect(during.filter((s) => s.answer!.status !== 503)).toEqual([]);
  for (const name of ["A", "B"])
    for (const pathname of ["/api/me", "/api/auth/refresh"])
      expect(during.some((s) => s.instance === name && s.path === pathname)).toBe(true);

  // Nothing revealing in an answer or in what the servers printed.
  const secrets = [password, "postgres://", "Failed query"];
  const stack = /\n\s+at .+:\d+:\d+|"stack"/;
  for (const s of seen) {
    for (const secret of secrets) expect(s.answer!.text).not.toContain(secret);
    expect(s.answer!.text).not.toMatch(stack);
  }
  for (const [index, instance] of instances().entries()) {
    const printed = instance.output.slice(outputFrom[index]);
    for (const secret of secrets) expect(printed, `${instance.name}'s output`).not.toContain(secret);
    expect(printed, `${instance.name}'s output`).not.toMatch(stack);
    expect(printed).toContain("database unavailable; answered 503");
  }
  // Neither instance crashed or was restarted.
  expect(instances().map((i) => i.running)).toEqual([true, true]);
  expect(instances().map((i) => i.child!.pid)).toEqual(pids);

  await expectAllAlive(sessions);
  const summary =
    `outage ${outageTo - outageFrom} ms, ${unavailable.length} answers 503 (${during.length} sent and answered ` +
    `within it); /api/me 200 again ${back.A} ms (A) and ${back.B} ms (B) after pg_ctl start returned`;
  console.log(`multi-instance database restart: ${summary}`);
  test.info().annotations.push({ type: "database restart", description: summary });
});
