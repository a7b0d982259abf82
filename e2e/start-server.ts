/**
 * Starts `next start` for one of the e2e server profiles with a fresh database and a fresh key
 * set (production mode, as deployed). Usage: tsx e2e/start-server.ts main|short|required|pg
 *
 * The database: a SQLite file in a temporary directory, or for a PostgreSQL profile (`pg`) a
 * throwaway cluster (tests/pg-cluster.ts: initdb, pg_ctl on a free loopback port) with one new
 * database, stopped and deleted when the server stops (SIGTERM, SIGINT, or this process exiting;
 * playwright.config.ts stops it with SIGTERM for that reason).
 *
 * Before starting, it seeds the e2e administrator (E2E_ADMIN in e2e/servers.ts) into the fresh
 * database through the app's own openStorage/provisionUser: the app itself has no way to create
 * an admin, on purpose. It also starts, in this process, the SMTP server the app mails to
 * (SMTP_URL, required in production): every message lands in the profile's mailbox directory for
 * the `mailbox` fixture (e2e/mailbox-server.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStorage, type DatabaseConfig } from "@/db";
import { generateKeySetJson } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";
import { provisionUser } from "@/lib/auth/users";
import { createDatabase, startCluster, type Cluster } from "../tests/pg-cluster";
import { startMailboxServer } from "./mailbox-server";
import { E2E_ADMIN, E2E_LIMITS, SERVERS, mailboxDir, serverUrl, type ServerName } from "./servers";

const name = process.argv[2] as ServerName;
if (!(name in SERVERS)) throw new Error(`unknown server profile "${name}"`);
const profile = SERVERS[name];

let child: ChildProcess | undefined;
let dir: string | undefined;
let cluster: Cluster | undefined;

/** Deletes the temporary directory and destroys the cluster; synchronous, so "exit" can run it. */
function cleanUp() {
  // The cluster first: it lives under `dir`, and pg_ctl needs its data directory to stop it.
  cluster?.destroy();
  cluster = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}
process.on("exit", cleanUp);
// The server stops with this process: a signal goes to `next start` first, whose exit ends us.
// A signal that comes before `next start` runs (while the cluster starts) ends us at once.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    else process.exit(1);
  });
}

async function seedAdmin(database: DatabaseConfig) {
  const storage = await openStorage(database);
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

/** A fresh, empty database of the profile's engine; the app applies the migrations. */
async function freshDatabase(): Promise<{ url: string; config: DatabaseConfig }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${name}-`));
  if (profile.database === "sqlite") {
    const databasePath = path.join(dir, "app.db");
    return { url: `file:${databasePath}`, config: { engine: "sqlite", path: databasePath } };
  }
  // Under `dir` (world-traversable: as root the server runs as another OS user), so cleanUp finds it.
  fs.chmodSync(dir, 0o755);
  cluster = await startCluster({ parent: dir });
  const url = await createDatabase(cluster.url);
  return { url, config: { engine: "postgres", url, poolSize: 2 } };
}

async function main() {
  const database = await freshDatabase();
  await seedAdmin(database.config);
  const keys = await generateKeySetJson("ES256");
  const mailbox = await startMailboxServer(mailboxDir(name));
  child = spawn(path.join("node_modules", ".bin", "next"), ["start", "-p", String(profile.port), "-H", "127.0.0.1"], {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_ENV: "production",
      APP_URL: serverUrl(name),
      DATABASE_URL: database.url,
      AUTH_SIGNING_KEYS: keys,
      AUTH_SECRETS_KEY: generateSecretsKey(),
      SMTP_URL: mailbox.url,
      LOG_LEVEL: "warn",
      ...E2E_LIMITS,
      ...profile.env,
    },
  });
  child.on("exit", (code) => {
    cleanUp();
    void mailbox.close().finally(() => process.exit(code ?? 0));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
