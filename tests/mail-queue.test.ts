/**
 * The mail queue (issue 16, finding 6): mail is written with the change that causes it and sent by
 * any instance from the database, so an instance that dies between the commit and the send loses
 * nothing, and two instances sending at once send each mail once. On the engine under test, with a
 * real SMTP server (smtp-server) on loopback as the peer.
 */
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Storage } from "@/db";
import { createAuth } from "@/lib/auth";
import { manualClock, systemRandom } from "@/lib/auth/clock";
import { createSealer, generateSecretsKey, parseSecretsKeys } from "@/lib/auth/sealed";
import { provisionUser } from "@/lib/auth/users";
import { RETRY_DELAYS_MS, createMailSender, smtpTransport, type MailTransport } from "@/lib/mail/sender";
import type { OutgoingMail } from "@/lib/mail/templates";
import { startMailboxServer } from "../e2e/mailbox-server";
import { META, TEST_LIFETIMES, openTestStorage, testKeys } from "./helpers";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const secretsKey = generateSecretsKey();
const sealer = createSealer(parseSecretsKeys(secretsKey));

let smtp: { url: string; close: () => Promise<void> };
let mailboxDir: string;
const opened: Storage[] = [];

beforeAll(async () => {
  mailboxDir = fs.mkdtempSync(path.join(os.tmpdir(), "mail-queue-"));
  smtp = await startMailboxServer(mailboxDir);
});
afterAll(async () => {
  await smtp.close();
  for (const storage of opened) await storage.close();
});

/** What the SMTP server received for an address. */
function received(to: string): { to: string; subject: string; text: string }[] {
  return fs
    .readdirSync(mailboxDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(mailboxDir, name), "utf8")))
    .filter((m) => m.to === to);
}

/** A fresh database and an "instance" on it (an auth core and a store of its own). */
async function instance(database?: Awaited<ReturnType<typeof openTestStorage>>["database"]) {
  const { storage, database: target, db } = await openTestStorage(database);
  opened.push(storage);
  const clock = manualClock(Date.now());
  const auth = createAuth({
    store: storage.store,
    keys: await testKeys(),
    config: TEST_LIFETIMES,
    sealer,
    clock,
    random: systemRandom,
  });
  return { storage, store: storage.store, database: target, db, clock, auth };
}

async function newUser(store: Storage["store"], email = `${randomUUID()}@example.com`) {
  await provisionUser(
    store,
    { email, password: "a good password", name: null, role: "user", emailVerified: true },
    { id: randomUUID(), now: Date.now() },
  );
  return email;
}

describe("mail queue", () => {
  it("an instance killed between the commit and the send: another instance sends the mail, and its link works", async () => {
    const a = await instance();
    const email = await newUser(a.store);
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join("tests", "children", "mail-then-crash.ts")],
      {
        env: { ...process.env, DATABASE: JSON.stringify(a.database), AUTH_SECRETS_KEY: secretsKey, EMAIL: email },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(child.signal, child.stderr).toBe("SIGKILL");
    // Committed, never sent.
    const [row] = await a.db.rows("mail_queue");
    expect(row).toMatchObject({ kind: "password_reset", sent_at: null, attempts: 0 });
    expect(received(email)).toEqual([]);

    // Instance B (a store of its own on the same database) sends it over SMTP.
    const b = await instance(a.database);
    const sender = createMailSender({
      store: b.store,
      sealer,
      transport: smtpTransport(smtp.url, "Auth Starter <no-reply@localhost>"),
      log: quiet,
      appName: "Test App",
    });
    await sender.flush();
    sender.stop();
    const [mail] = received(email);
    expect(mail.subject).toBe("Reset your password");
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
    expect((await b.auth.resetPassword(token, "a brand new password", META)).ok).toBe(true);
    // Sent once, and the row forgot what it carried.
    const [sent] = await a.db.rows("mail_queue", { where: { kind: "password_reset" } });
    expect(sent).toMatchObject({ payload: null, attempts: 1 });
    expect(sent.sent_at).not.toBeNull();
  });

  it("two instances draining one queue at once send every mail exactly once", async () => {
    const a = await instance();
    const b = await instance(a.database);
    const emails = await Promise.all(Array.from({ length: 24 }, () => newUser(a.store)));
    for (const email of emails) await a.auth.requestPasswordReset(email, META);
    const delivered: string[] = [];
    // A slow transport, so both senders are mid-batch at the same time.
    const transport: MailTransport = {
      send: async (mail: OutgoingMail) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        delivered.push(mail.to);
      },
      close: () => undefined,
    };
    const senders = [a, b].map((i) =>
      createMailSender({ store: i.store, sealer, transport, log: quiet, appName: "Test App" }),
    );
    await Promise.all(senders.map((s) => s.flush()));
    expect(delivered.sort()).toEqual([...emails].sort());
    expect(await a.db.count("mail_queue", { sent_at: null })).toBe(0);
  });

  it("a failed send is retried after its delay (by any instance) and given up after the last one", async () => {
    const a = await instance();
    const email = await newUser(a.store);
    await a.auth.requestPasswordReset(email, META);
    let now = Date.now();
    const failing: MailTransport = {
      send: async () => {
        throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
      },
      close: () => undefined,
    };
    const down = createMailSender({
      store: a.store,
      sealer,
      transport: failing,
      log: quiet,
      appName: "Test App",
      now: () => now,
    });
    await down.flush();
    const [afterFirst] = await a.db.rows("mail_queue");
    expect(afterFirst).toMatchObject({ attempts: 1, last_error: "ECONNREFUSED", sent_at: null, failed_at: null });
    // Not due again before its delay.
    await down.flush();
    expect((await a.db.rows("mail_queue"))[0].attempts).toBe(1);
    // Every retry fails: after the last delay the mail is given up and its payload forgotten.
    for (const delay of RETRY_DELAYS_MS) {
      now += delay;
      await down.flush();
    }
    const [given] = await a.db.rows("mail_queue");
    expect(given.attempts).toBe(RETRY_DELAYS_MS.length + 1);
    expect(given.failed_at).not.toBeNull();
    expect(given.payload).toBeNull();

    // Another mail, failing once here, then sent by instance B after the delay.
    await a.auth.requestPasswordReset(email, META);
    await down.flush();
    const b = await instance(a.database);
    const kept: string[] = [];
    const up = createMailSender({
      store: b.store,
      sealer,
      transport: { send: async (m) => void kept.push(m.to), close: () => undefined },
      log: quiet,
      appName: "Test App",
      now: () => now + RETRY_DELAYS_MS[0],
    });
    await up.flush();
    expect(kept).toEqual([email]);
  });

  it("a mail that cannot be opened (AUTH_SECRETS_KEY changed) is given up, not retried forever; nothing in it is readable", async () => {
    const a = await instance();
    const email = await newUser(a.store);
    await a.auth.requestPasswordReset(email, META);
    const [queued] = await a.db.rows("mail_queue");
    expect(JSON.stringify(queued)).not.toContain(email);
    const otherKey = createSealer([randomBytes(32)]);
    const sender = createMailSender({
      store: a.store,
      sealer: otherKey,
      transport: { send: async () => undefined, close: () => undefined },
      log: quiet,
      appName: "Test App",
    });
    await sender.flush();
    expect((await a.db.rows("mail_queue"))[0]).toMatchObject({ last_error: "unreadable", payload: null });
  });

  it("sent mail is pruned after a day; the payload was already gone", async () => {
    const a = await instance();
    const email = await newUser(a.store);
    await a.auth.requestPasswordReset(email, META);
    const sender = createMailSender({
      store: a.store,
      sealer,
      transport: { send: async () => undefined, close: () => undefined },
      log: quiet,
      appName: "Test App",
    });
    await sender.flush();
    const now = Date.now();
    const cutoffs = {
      familiesDeadBefore: 0,
      familiesIdleBefore: 0,
      jtisExpiredBefore: 0,
      eventsBefore: 0,
      emailTokensBefore: 0,
      dpopProofsBefore: 0,
      pendingBefore: 0,
      authorizationCodesBefore: 0,
      batchSize: 100,
    };
    expect((await a.store.prune({ ...cutoffs, mailBefore: now - 86_400_000 }))?.mail).toBe(0);
    expect((await a.store.prune({ ...cutoffs, mailBefore: now + 1000 }))?.mail).toBe(1);
    expect(await a.db.count("mail_queue")).toBe(0);
  });
});
