/**
 * Starts `next start` for one of the e2e server profiles with a fresh database and a fresh key
 * set (production mode, as deployed). Usage: tsx e2e/start-server.ts main|short|required
 *
 * Before starting, it seeds the e2e administrator (E2E_ADMIN in e2e/servers.ts) into the fresh
 * database: the app itself has no way to create an admin, on purpose. It also starts, in this
 * process, the SMTP server the app mails to (SMTP_URL, required in production): every message
 * lands in the profile's mailbox directory for the `mailbox` fixture (e2e/mailbox-server.ts).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStorage } from "@/db";
import { generateKeySetJson } from "@/lib/auth/keys";
import { provisionUser } from "@/lib/auth/users";
import { startMailboxServer } from "./mailbox-server";
import { E2E_ADMIN, E2E_LIMITS, SERVERS, mailboxDir, serverUrl, type ServerName } from "./servers";

const name = process.argv[2] as ServerName;
if (!(name in SERVERS)) throw new Error(`unknown server profile "${name}"`);
const profile = SERVERS[name];

async function seedAdmin(databasePath: string) {
  const storage = await openStorage({ engine: "sqlite", path: databasePath });
  try {
    // Provisioned, not signed up: its address counts as confirmed (it can sign in on `required`).
    await provisionUser(
      storage.store,
      { ...E2E_ADMIN, role: "admin", emailVerified: true },
      { id: randomUUID(), now: Date.now() },
    );
  } finally {
    await storage.close();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${name}-`));
  const databasePath = path.join(dir, "app.db");
  await seedAdmin(databasePath);
  const keys = await generateKeySetJson("ES256");
  const mailbox = await startMailboxServer(mailboxDir(name));
  const child = spawn(
    path.join("node_modules", ".bin", "next"),
    ["start", "-p", String(profile.port), "-H", "127.0.0.1"],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        NODE_ENV: "production",
        APP_URL: serverUrl(name),
        DATABASE_URL: `file:${databasePath}`,
        AUTH_SIGNING_KEYS: keys,
        SMTP_URL: mailbox.url,
        LOG_LEVEL: "warn",
        ...E2E_LIMITS,
        ...profile.env,
      },
    },
  );
  const stop = () => child.kill("SIGTERM");
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  child.on("exit", (code) => {
    fs.rmSync(dir, { recursive: true, force: true });
    void mailbox.close().finally(() => process.exit(code ?? 0));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
