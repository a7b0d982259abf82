/**
 * `npm run bench:profile`: where a route's server CPU goes, under load. Starts the bench build
 * (bench/lib/server.ts) with `node --cpu-prof`, drives each case with the same closed-loop load as
 * `npm run bench` (after a warm-up, in interleaved rounds), stops the server so V8 writes its profile, and prints, per
 * case and per request: the CPU by owner (our code, Next.js, each package, Node, the garbage
 * collector), by the innermost frame of our own code on the stack, and the heaviest functions.
 * The last table is each case minus the trivial route: what the route costs beyond the framework.
 *
 * Knobs: BENCH_ENGINES (one engine, default sqlite), PROFILE_CASES (trivial,trivialPost,me,refresh,login; also
 * storm: logins on 20 connections), PROFILE_SECONDS (4 per window), PROFILE_ROUNDS (3), PROFILE_HEAP=1 (heap snapshots after
 * set-up and after the cases), PROFILE_KEEP (a folder to keep the profile in). Reports only;
 * numbers move with the machine's load, proportions less so.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closedLoad, setUpAndCheck } from "./cases/http";
import { CONNECTIONS, EMAIL, PASSWORD, STORM_CONNECTIONS, log, sleep } from "./lib/config";
import { summarise, type CpuProfile, type WindowSummary } from "./lib/cpu-profile";
import { growth, summariseSnapshot, type HeapSummary } from "./lib/heap-snapshot";
import { serverEnv, startBacking, type Engine } from "./lib/engines";
import { load, login, refreshLoad, type LoadResult } from "./lib/load";
import { ensureBuild, freePort, startServer, stopAll, waitReady, type Server } from "./lib/server";

const ENGINE = (process.env.BENCH_ENGINES ?? "sqlite").split(",")[0] as Engine;
const CASES = (process.env.PROFILE_CASES ?? "trivial,trivialPost,me,refresh,login").split(",").map((s) => s.trim());
const SECONDS = Math.max(2, Number(process.env.PROFILE_SECONDS ?? 4));
const ROUNDS = Math.max(1, Number(process.env.PROFILE_ROUNDS ?? 3));
/** Sampling interval (µs): finer than V8's default 1 ms, for routes that cost about 2 ms. */
const INTERVAL_US = 250;

/** PROFILE_HEAP=1: heap snapshots after set-up and after the cases, and the RSS after each case. */
const HEAP = process.env.PROFILE_HEAP === "1";

const nowUs = () => Number(process.hrtime.bigint() / 1000n); // the clock V8's profile timestamps use

const families = async (server: Server) =>
  (await Promise.all(Array.from({ length: CONNECTIONS }, () => login(server.origin, EMAIL, PASSWORD)))).map((s) => ({
    token: s.refresh,
  }));

const CASE_RUNS: Record<string, (server: Server, cookie: string, seconds: number) => Promise<LoadResult>> = {
  trivial: (s, cookie, seconds) => closedLoad(s, "/api/bench/trivial", seconds, cookie),
  trivialPost: (s, cookie, seconds) =>
    load({
      url: `${s.origin}/api/bench/trivial`,
      method: "POST",
      connections: CONNECTIONS,
      seconds,
      headers: { cookie, origin: s.origin },
      cpuMs: s.cpuMs,
    }),
  me: (s, cookie, seconds) => closedLoad(s, "/api/me", seconds, cookie),
  refresh: async (s, _cookie, seconds) => refreshLoad(s.origin, await families(s), seconds, s.cpuMs),
  login: (s, _cookie, seconds) => logins(s, seconds, CONNECTIONS),
  storm: (s, _cookie, seconds) => logins(s, seconds, STORM_CONNECTIONS),
};

function logins(s: Server, seconds: number, connections: number) {
  return load({
    url: `${s.origin}/api/auth/login`,
    method: "POST",
    connections,
    seconds,
    headers: { origin: s.origin, "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    cpuMs: s.cpuMs,
  });
}

function endsWithBrace(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last.toString() === "}";
  } finally {
    fs.closeSync(fd);
  }
}

/** Asks the server for a heap snapshot (SIGUSR2) and waits until V8 has written it. */
async function heapSnapshot(server: Server, dir: string): Promise<HeapSummary> {
  const known = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  process.kill(server.child.pid!, "SIGUSR2");
  for (let waited = 0; waited < 120_000; waited += 500) {
    await sleep(500);
    const file = fs.existsSync(dir) && fs.readdirSync(dir).find((f) => f.endsWith(".heapsnapshot") && !known.has(f));
    if (!file) continue;
    const full = path.join(dir, file);
    const size = fs.statSync(full).size;
    await sleep(1000);
    if (fs.statSync(full).size !== size || !endsWithBrace(full)) continue; // still writing
    const summary = summariseSnapshot(full);
    fs.rmSync(full);
    return summary;
  }
  throw new Error("no heap snapshot after 120 s");
}

/** Waits for the process group's leader to exit (V8 writes the profile on exit). */
async function stopAndWait(server: Server, timeoutMs = 20_000) {
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  server.stop();
  await Promise.race([exited, sleep(timeoutMs)]);
}

const us = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} ms` : `${n.toFixed(0)} µs`);

function table(title: string, rows: [string, number][], total?: number) {
  console.log(`  ${title}`);
  for (const [k, v] of rows.slice(0, 14)) {
    const share = total ? ` ${((100 * v) / total).toFixed(0).padStart(3)}%` : "";
    console.log(`    ${us(v).padStart(9)}${share}  ${k}`);
  }
}

function difference(a: [string, number][], b: [string, number][]): [string, number][] {
  const m = new Map(a);
  for (const [k, v] of b) m.set(k, (m.get(k) ?? 0) - v);
  return [...m.entries()].filter(([, v]) => Math.abs(v) >= 5).sort((x, y) => y[1] - x[1]);
}

async function main() {
  const build = ensureBuild(log);
  if (build.built) log(`build took ${build.seconds.toFixed(0)}s`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "auth-profile-"));
  fs.chmodSync(tmp, 0o755);
  const profileDir = path.join(tmp, "profiles");
  const backing = await startBacking(ENGINE, tmp);
  const windows: { name: string; from: number; to: number; result: LoadResult }[] = [];
  const diagnostics = path.join(tmp, "diagnostics");
  const rss: [string, number][] = [];
  const heaps: HeapSummary[] = [];
  fs.mkdirSync(diagnostics); // Node does not create it, and a snapshot into a missing folder ends the server
  try {
    const port = await freePort();
    const server = startServer(`profile-${ENGINE}`, port, await serverEnv(port, backing), tmp, [
      "--cpu-prof",
      `--cpu-prof-dir=${profileDir}`,
      `--cpu-prof-interval=${INTERVAL_US}`,
      ...(HEAP ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${diagnostics}`] : []),
    ]);
    await waitReady(server, "/api/bench/trivial");
    const cookie = await setUpAndCheck(server);
    rss.push(["after set-up", server.rssMiB()]);
    if (HEAP) heaps.push(await heapSnapshot(server, diagnostics));
    for (const name of CASES) {
      if (!CASE_RUNS[name]) throw new Error(`unknown case ${name} (known: ${Object.keys(CASE_RUNS).join(", ")})`);
      log(`${name}: 3s warm-up`);
      await CASE_RUNS[name](server, cookie, 3);
      await sleep(500);
    }
    // Interleaved rounds, as in npm run bench: the machine's drift falls on every case alike.
    for (let round = 0; round < ROUNDS; round++) {
      const order = CASES.map((_, i) => CASES[(i + round) % CASES.length]);
      log(`round ${round + 1}/${ROUNDS}: ${order.join(", ")}, ${SECONDS}s each`);
      for (const name of order) {
        const from = nowUs();
        const result = await CASE_RUNS[name](server, cookie, SECONDS);
        windows.push({ name, from, to: nowUs(), result });
        await sleep(name === "login" || name === "storm" ? 2000 : 500);
        rss.push([`after ${name}`, server.rssMiB()]);
      }
    }
    if (HEAP) heaps.push(await heapSnapshot(server, diagnostics));
    await stopAndWait(server);
  } finally {
    stopAll();
    await backing.stop().catch(() => undefined);
  }

  // `next start` may leave more than one process; the server is the one with the most samples.
  const files = fs.existsSync(profileDir) ? fs.readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile")) : [];
  if (files.length === 0) throw new Error("the server wrote no CPU profile");
  const profile = files
    .map((f) => JSON.parse(fs.readFileSync(path.join(profileDir, f), "utf8")) as CpuProfile)
    .sort((a, b) => b.samples.length - a.samples.length)[0];

  console.log(
    `\nCPU profile of the ${ENGINE} server under load (${os.cpus().length} cores, sampling every ${INTERVAL_US} µs)`,
  );
  const summaries = new Map<string, WindowSummary>();
  for (const name of CASES) {
    const own = windows.filter((w) => w.name === name);
    const requests = own.reduce((a, w) => a + w.result.requests, 0);
    const non2xx = own.reduce((a, w) => a + w.result.non2xx, 0);
    const s = summarise(profile, own, requests);
    summaries.set(name, s);
    const perRequest = (s.busyMs * 1000) / requests;
    const procCpu = own.reduce((a, w) => a + w.result.cpuPerReq * w.result.requests, 0) / requests;
    console.log(
      `\n${name}: ${requests.toLocaleString()} requests in ${own.length} windows (${non2xx} non-2xx); ` +
        `sampled busy CPU ${us(perRequest)} per request (process group /proc: ${us(procCpu * 1000)})`,
    );
    table("by owner (self time)", s.byOwner, perRequest);
    table("by the innermost frame of our code on the stack", s.byOurFrame, perRequest);
    table("heaviest functions (self time)", s.topSelf, perRequest);
  }
  console.log(
    `\nRSS of the server (process group): ${rss.map(([when, mib]) => `${when} ${mib.toFixed(0)} MiB`).join(", ")}`,
  );
  if (heaps.length === 2) {
    console.log(
      `heap (live, after GC): ${heaps[0].totalMiB.toFixed(1)} MiB after set-up, ${heaps[1].totalMiB.toFixed(1)} MiB after the cases; grew most:`,
    );
    for (const [kind, mib, count] of growth(heaps[0], heaps[1]))
      console.log(`    ${mib.toFixed(2).padStart(7)} MiB ${String(count).padStart(8)} objects  ${kind}`);
  }
  // What each route costs beyond the framework: minus the trivial GET, and a POST minus the trivial POST.
  for (const [name, s] of summaries) {
    const base =
      ["refresh", "login", "storm"].includes(name) && summaries.has("trivialPost") ? "trivialPost" : "trivial";
    const baseline = summaries.get(base);
    if (!baseline || name === base || name === "trivial") continue;
    const busy = (x: WindowSummary) => x.byOwner.reduce((a, [, v]) => a + v, 0);
    console.log(`\n${name} minus ${base}, per request: ${us(busy(s) - busy(baseline))}`);
    table("by owner", difference(s.byOwner, baseline.byOwner));
    table("by the innermost frame of our code", difference(s.byOurFrame, baseline.byOurFrame));
    table("by function (self time)", difference(s.topSelf, baseline.topSelf));
  }
  if (process.env.PROFILE_KEEP) {
    // The profile and its windows, for a closer look (e.g. in Chrome DevTools' Performance panel).
    fs.mkdirSync(process.env.PROFILE_KEEP, { recursive: true });
    fs.writeFileSync(path.join(process.env.PROFILE_KEEP, `${ENGINE}.cpuprofile`), JSON.stringify(profile));
    fs.writeFileSync(path.join(process.env.PROFILE_KEEP, `${ENGINE}-windows.json`), JSON.stringify(windows));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error) => {
    stopAll();
    console.error(`\n[profile] failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
