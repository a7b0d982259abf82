/**
 * Building and running `next start` for the benchmark. The benchmark has its own build:
 * BENCH_BUILD=1 makes next.config.ts add the bench-only routes (files under app/ named
 * *.bench.tsx or *.bench.ts) and build into .next-bench, never .next; the server gets
 * BENCH_BUILD=1 too, to find it. An mtime check decides whether to build, each server runs in
 * its own process group (detached) so stopping it stops every child, and every started server is
 * stopped on exit, error, SIGINT and SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
export { freePort } from "../../tests/free-port";

const ROOT = process.cwd();
/** What `next build` reads. bench/ (but for the bench build's tsconfig), tests/ and e2e/ are not part of the app. */
const SOURCES = [
  "app",
  "components",
  "lib",
  "db",
  "public",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.ts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "bench/tsconfig.bench-build.json",
  "postcss.config.mjs",
];

function newestMtime(p: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of fs.readdirSync(p)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/** The environment variable and value that select the benchmark build (next.config.ts). */
const BENCH_BUILD_ENV = { BENCH_BUILD: "1" };
const DIST_DIR = ".next-bench";

/** Runs `BENCH_BUILD=1 npx next build` when .next-bench/BUILD_ID is missing or older than any source file. */
export function ensureBuild(log: (line: string) => void): { built: boolean; seconds: number } {
  const buildId = path.join(ROOT, DIST_DIR, "BUILD_ID");
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  if (builtAt > newest) {
    log(`build: ${DIST_DIR} is up to date (BUILD_ID ${new Date(builtAt).toISOString()})`);
    return { built: false, seconds: 0 };
  }
  const command = "`BENCH_BUILD=1 npx next build` (into " + DIST_DIR + ")";
  log(
    builtAt
      ? `build: sources changed since the last build; running ${command}`
      : `build: no ${DIST_DIR}/BUILD_ID; running ${command}`,
  );
  const started = performance.now();
  const result = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...BENCH_BUILD_ENV, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status ?? result.signal})`);
  return { built: true, seconds: (performance.now() - started) / 1000 };
}

export type Server = {
  name: string;
  port: number;
  origin: string;
  logFile: string;
  child: ChildProcess;
  /** CPU time (user + system, ms) used so far by every process in the server's process group. */
  cpuMs(): number;
  /** Resident memory (MiB) of every process in the server's process group. */
  rssMiB(): number;
  stop(): void;
};

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/**
 * CPU time of a process group from /proc (utime + stime of each member). On a shared machine the
 * throughput a server reaches depends on the CPU share it gets; the CPU it spends per request
 * does not, nearly, so it is the steadier number.
 */
function processGroupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process group, MiB (VmRSS of each member, from /proc). */
function processGroupRssMiB(pgid: number): number {
  let kib = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    let stat: string;
    let status: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== pgid) continue;
      status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
    } catch {
      continue;
    }
    kib += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}

/**
 * The heap cap `npm start` runs with (package.json's start script; BENCHMARKS.md, "Memory"), so the
 * benchmark's servers run as production does. (A flag on the command line wins over the same flag
 * in NODE_OPTIONS: BENCH_NODE_OPTIONS adds other flags; to try another cap, edit the start script.)
 */
function productionNodeArgs(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } })
    .scripts.start;
  return start.match(/--max-old-space-size=\d+/g) ?? [];
}

const running = new Set<Server>();

function killGroup(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/** Stops every server this process started (its process group: npx/next and their children). */
export function stopAll() {
  for (const s of running) s.stop();
}

let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on("exit", stopAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopAll();
      process.exit(130);
    });
  }
}

export function startServer(
  name: string,
  port: number,
  env: Record<string, string>,
  logDir: string,
  nodeArgs: string[] = [],
): Server {
  hookExit();
  const logFile = path.join(logDir, `server-${name}.log`);
  const out = fs.openSync(logFile, "a");
  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  const child = spawn(
    process.execPath,
    [...productionNodeArgs(), ...nodeArgs, nextBin, "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: ROOT,
      detached: true, // its own process group: process.kill(-pid) reaches every child
      stdio: ["ignore", out, out],
      env: { ...process.env, ...env, ...BENCH_BUILD_ENV } as NodeJS.ProcessEnv,
    },
  );
  fs.closeSync(out);
  const server: Server = {
    name,
    port,
    origin: `http://127.0.0.1:${port}`,
    logFile,
    child,
    cpuMs: () => (child.pid === undefined ? NaN : processGroupCpuMs(child.pid)),
    rssMiB: () => (child.pid === undefined ? NaN : processGroupRssMiB(child.pid)),
    stop() {
      killGroup(child);
      running.delete(server);
    },
  };
  running.add(server);
  return server;
}

export async function waitReady(server: Server, probePath: string, timeoutMs = 90_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (server.child.exitCode !== null) {
      throw new Error(
        `server ${server.name} exited (${server.child.exitCode}) during start-up:\n${tail(server.logFile)}`,
      );
    }
    try {
      const res = await fetch(server.origin + probePath, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return (performance.now() - started) / 1000;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server ${server.name} not ready after ${timeoutMs / 1000}s:\n${tail(server.logFile)}`);
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
