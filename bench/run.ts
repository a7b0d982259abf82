/**
 * `npm run bench`: the hot path, measured. See BENCHMARKS.md for the design and the last results.
 *
 * 1. Builds if .next is missing or older than the sources, then starts the production server
 *    (`next start`, its own process group) on a throwaway database with rate limits off (all
 *    load comes from 127.0.0.1) and the bench-only routes on (BENCH_ROUTES=1).
 * 2. HTTP cases over loopback with autocannon, interleaved in rounds (the order rotates every
 *    round) so drift on this shared machine cancels; medians across rounds, ratios per round.
 *    The guard's pass-through case flips BENCH_PROXY_PASS_THROUGH in the server process through
 *    POST /api/bench/proxy-mode, so guarded and pass-through run on the same server.
 * 3. In-process micro benchmarks and the verified-token cache's memory (bench/micro.ts, in
 *    child processes with --expose-gc).
 * Prints one table and the ratios with MET/MISSED. Exits 0 once it has measured: it reports, it
 * does not fail the build. Knobs: BENCH_ROUNDS (5), BENCH_SECONDS (3), BENCH_CASES (a subset of
 * the HTTP steps), BENCH_MICRO=0 (skip the in-process part).
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeySetJson } from "@/lib/auth/keys";
import { ACCESS_COOKIE, get, load, login, post, refreshLoad, type LoadResult } from "./lib/load";
import { ensureBuild, freePort, startServer, stopAll, waitReady, type Server } from "./lib/server";
import { fmtMs, fmtNumber, fmtRate, median, table } from "./lib/stats";
import type { MemoryResult, MicroResult } from "./micro";
import { MICRO } from "./lib/names";

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
/** Optional comma-separated subset of HTTP steps (pageUnguarded,pageGuarded,pagePassThrough,me,trivial,refresh,idle,storm). */
const ONLY = process.env.BENCH_CASES?.split(",").map((s) => s.trim()).filter(Boolean);
const SKIP_MICRO = process.env.BENCH_MICRO === "0";
const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? 3));
const CONNECTIONS = 10;
const STORM_CONNECTIONS = 20;
const LIGHT = { meConnections: 2, meRate: 100, trivialConnections: 1, trivialRate: 50 };
const MEMORY_TOKENS = 100_000;
const EMAIL = "bench@example.com";
const PASSWORD = "bench-password-123";

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type CaseKey =
  | "pageUnguarded"
  | "pageGuarded"
  | "pagePassThrough"
  | "me"
  | "trivial"
  | "refresh"
  | "meIdle"
  | "trivialIdle"
  | "meStorm"
  | "trivialStorm"
  | "loginStorm";

const LABELS: Record<CaseKey, string> = {
  pageUnguarded: "page /bench (not a protected path)",
  pageGuarded: "page /account/bench, proxy guard on",
  pagePassThrough: "page /account/bench, proxy pass-through",
  me: "GET /api/me (full check: verify + DB)",
  trivial: "GET /api/bench/trivial (baseline handler)",
  refresh: "POST /api/auth/refresh (rotation)",
  meIdle: `GET /api/me light (${LIGHT.meConnections} conn, ${LIGHT.meRate}/s), idle`,
  meStorm: `GET /api/me light, during login storm`,
  trivialIdle: `GET /api/bench/trivial light (${LIGHT.trivialConnections} conn, ${LIGHT.trivialRate}/s), idle`,
  trivialStorm: `GET /api/bench/trivial light, during storm`,
  loginStorm: `POST /api/auth/login storm (${STORM_CONNECTIONS} conn)`,
};

async function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", path.join("bench", "micro.ts"), ...args], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`bench/micro.ts ${args.join(" ")} exited ${code}`))));
  });
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  return `${os.availableParallelism()} cores (nproc), ${cpu}, node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function main() {
  const started = performance.now();
  log(`machine: ${machine()}`);
  log(`rounds ${ROUNDS} x ${SECONDS}s per case, ${CONNECTIONS} connections (storm ${STORM_CONNECTIONS})`);

  const build = ensureBuild(log);
  if (build.built) log(`build took ${build.seconds.toFixed(0)}s (not part of the measurements)`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "auth-bench-"));
  const keys = await generateKeySetJson("ES256");
  const port = await freePort();
  // Authorises POST /api/bench/proxy-mode, the guard's on/off switch (this run only).
  const benchSecret = crypto.randomBytes(32).toString("base64url");
  const env: Record<string, string> = {
    NODE_ENV: "production",
    AUTH_SIGNING_KEYS: keys,
    APP_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `file:${path.join(tmp, "bench.db")}`,
    AUTH_RATE_LIMIT: "off",
    LOG_LEVEL: "warn",
    BENCH_ROUTES: "1",
    BENCH_ROUTES_SECRET: benchSecret,
    BENCH_PROXY_PASS_THROUGH: "0",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const results: Record<CaseKey, LoadResult[]> = Object.fromEntries(Object.keys(LABELS).map((k) => [k, []])) as never;
  const roundRatios: Record<string, number[]> = {};
  let micro: MicroResult | undefined;
  let memory: MemoryResult[] = [];
  const loads: string[] = [];

  try {
    const A = startServer("A", port, env, tmp);
    log(`server ready in ${(await waitReady(A, "/api/bench/trivial")).toFixed(1)}s on ${A.origin}`);
    /** Turns the proxy's guard off (pass-through) or on, in the server process. */
    const proxyMode = async (passThrough: boolean) => {
      const res = await fetch(`${A.origin}/api/bench/proxy-mode?passThrough=${passThrough ? 1 : 0}`, {
        method: "POST",
        headers: { "x-bench-secret": benchSecret },
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`POST /api/bench/proxy-mode answered ${res.status}`);
    };

    // --- set-up and sanity checks: a benchmark of failing requests measures nothing ---
    const reg = await post(A.origin, "/api/auth/register", { email: EMAIL, password: PASSWORD, name: "Bench" });
    if (reg.status !== 200 && reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text.slice(0, 200)}`);
    const session = await login(A.origin, EMAIL, PASSWORD);
    const cookie = `${ACCESS_COOKIE}=${session.access}`;
    const checks: [string, () => Promise<{ status: number }>, number][] = [
      ["/account/bench without a cookie, guard on: redirect", () => get(`${A.origin}/account/bench`), 307],
      ["/account/bench with the cookie, guard on", () => get(`${A.origin}/account/bench`, cookie), 200],
      ["/bench with the cookie", () => get(`${A.origin}/bench`, cookie), 200],
      ["/api/me with the cookie", () => get(`${A.origin}/api/me`, cookie), 200],
      ["/api/bench/trivial", () => get(`${A.origin}/api/bench/trivial`, cookie), 200],
      ["/account/bench without a cookie, pass-through: renders", async () => (await proxyMode(true), get(`${A.origin}/account/bench`)), 200],
      ["/account/bench with the cookie, pass-through", () => get(`${A.origin}/account/bench`, cookie), 200],
      ["/account/bench without a cookie, guard back on: redirect", async () => (await proxyMode(false), get(`${A.origin}/account/bench`)), 307],
    ];
    for (const [what, check, expected] of checks) {
      const { status } = await check();
      if (status !== expected) throw new Error(`sanity check failed: ${what}: got ${status}, expected ${expected}`);
    }
    const rotatedOnce = await post(A.origin, "/api/auth/refresh", undefined, `__Secure-refresh=${session.refresh}`);
    if (rotatedOnce.status !== 200 || !rotatedOnce.cookies["__Secure-refresh"]) throw new Error(`sanity check failed: refresh ${rotatedOnce.status}`);
    log("sanity checks passed (the guard switches on and off, every case answers 200)");

    const headers = { cookie };
    const closed = (server: Server, path: string, seconds: number) =>
      load({ url: server.origin + path, connections: CONNECTIONS, seconds, headers, cpuMs: server.cpuMs });
    const lightMe = (seconds: number) =>
      load({ url: `${A.origin}/api/me`, connections: LIGHT.meConnections, overallRate: LIGHT.meRate, seconds, headers });
    const lightTrivial = (seconds: number) =>
      load({ url: `${A.origin}/api/bench/trivial`, connections: LIGHT.trivialConnections, overallRate: LIGHT.trivialRate, seconds, headers });
    const families = async () => {
      const sessions = await Promise.all(Array.from({ length: CONNECTIONS }, () => login(A.origin, EMAIL, PASSWORD)));
      await sleep(300);
      return sessions.map((s) => ({ token: s.refresh }));
    };

    type Step = { name: string; run: (seconds: number) => Promise<Partial<Record<CaseKey, LoadResult>>> };
    const steps: Step[] = [
      { name: "pageUnguarded", run: async (s) => ({ pageUnguarded: await closed(A, "/bench", s) }) },
      { name: "pageGuarded", run: async (s) => ({ pageGuarded: await closed(A, "/account/bench", s) }) },
      {
        name: "pagePassThrough",
        run: async (s) => {
          await proxyMode(true);
          try {
            return { pagePassThrough: await closed(A, "/account/bench", s) };
          } finally {
            await proxyMode(false);
          }
        },
      },
      { name: "me", run: async (s) => ({ me: await closed(A, "/api/me", s) }) },
      { name: "trivial", run: async (s) => ({ trivial: await closed(A, "/api/bench/trivial", s) }) },
      { name: "refresh", run: async (s) => ({ refresh: await refreshLoad(A.origin, await families(), s, A.cpuMs) }) },
      {
        name: "idle",
        run: async (s) => {
          const [meIdle, trivialIdle] = await Promise.all([lightMe(s), lightTrivial(s)]);
          return { meIdle, trivialIdle };
        },
      },
      {
        name: "storm",
        run: async (s) => {
          const [loginStorm, meStorm, trivialStorm] = await Promise.all([
            load({
              url: `${A.origin}/api/auth/login`,
              method: "POST",
              connections: STORM_CONNECTIONS,
              seconds: s + 1,
              headers: { origin: A.origin, "content-type": "application/json" },
              body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
              cpuMs: A.cpuMs, // per request: the whole server (logins and the light loads) / logins
            }),
            // Start the light load once the storm is under way, and stop it before the storm ends.
            sleep(500).then(() => lightMe(s)),
            sleep(500).then(() => lightTrivial(s)),
          ]);
          await sleep(1500); // logins still queued for argon2 drain before the next case
          return { loginStorm, meStorm, trivialStorm };
        },
      },
    ];

    if (ONLY) steps.splice(0, steps.length, ...steps.filter((s) => ONLY.includes(s.name)));
    // Warm-up, not recorded. A page keeps getting cheaper for ~10 s of traffic (JIT), so pages get
    // 10 s; the rest a couple of seconds each.
    log(`warm-up (not recorded): ${steps.map((s) => s.name).join(", ")}`);
    if (steps.some((s) => s.name.startsWith("page"))) await closed(A, "/account/bench", 6).then(() => closed(A, "/bench", 4));
    for (const step of steps) await step.run(step.name.startsWith("page") || step.name === "idle" ? 1 : 2);

    for (let r = 0; r < ROUNDS; r++) {
      loads.push(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
      // Rotated every round and reversed every other round: no step always follows the same one
      // (the storm's aftermath, say).
      const order = steps.map((_, i) => steps[(i + r) % steps.length]);
      if (r % 2) order.reverse();
      const round: Partial<Record<CaseKey, LoadResult>> = {};
      for (const step of order) {
        Object.assign(round, await step.run(step.name === "storm" || step.name === "idle" ? SECONDS + 1 : SECONDS));
        await sleep(200);
      }
      for (const [k, v] of Object.entries(round)) results[k as CaseKey].push(v);
      const ratio = (name: string, x: number) => (roundRatios[name] ??= []).push(x); // NaN when a side was skipped
      const x = (k: CaseKey, f: "rps" | "p99" | "cpuPerReq") => round[k]?.[f] ?? NaN;
      ratio("guard", x("pageGuarded", "rps") / x("pagePassThrough", "rps"));
      ratio("unguarded", x("pageUnguarded", "rps") / x("pagePassThrough", "rps"));
      ratio("me", x("me", "rps") / x("trivial", "rps"));
      ratio("refresh", x("refresh", "rps") / x("trivial", "rps"));
      ratio("stormMe", x("meStorm", "p99") / x("meIdle", "p99"));
      ratio("stormTrivial", x("trivialStorm", "p99") / x("trivialIdle", "p99"));
      ratio("guardCpu", x("pagePassThrough", "cpuPerReq") / x("pageGuarded", "cpuPerReq"));
      ratio("unguardedCpu", x("pagePassThrough", "cpuPerReq") / x("pageUnguarded", "cpuPerReq"));
      ratio("meCpu", x("trivial", "cpuPerReq") / x("me", "cpuPerReq"));
      ratio("refreshCpu", x("trivial", "cpuPerReq") / x("refresh", "cpuPerReq"));
      log(
        `round ${r + 1}/${ROUNDS} (load average ${loads.at(-1)}): req/s ratios guard ${roundRatios.guard.at(-1)!.toFixed(3)}, ` +
          `me ${roundRatios.me.at(-1)!.toFixed(3)}, refresh ${roundRatios.refresh.at(-1)!.toFixed(3)}; CPU ratios guard ` +
          `${roundRatios.guardCpu.at(-1)!.toFixed(3)}, me ${roundRatios.meCpu.at(-1)!.toFixed(3)}, refresh ` +
          `${roundRatios.refreshCpu.at(-1)!.toFixed(3)}; storm p99 x${roundRatios.stormMe.at(-1)!.toFixed(1)}`,
      );
    }
  } finally {
    stopAll();
  }
  await sleep(500);

  if (SKIP_MICRO) {
    micro = { rows: [], ratios: {}, cpuRatios: {} };
  } else {
    log("micro benchmarks (in-process, no server)");
    micro = JSON.parse(await runChild(["timing", "--rounds", String(Math.max(2 * ROUNDS - 1, 5))])) as MicroResult;
    log(`memory: ${MEMORY_TOKENS.toLocaleString()} distinct tokens verified and cached, capacity 100,000 and the default 10,000`);
    memory = (
      await Promise.all([
        runChild(["memory", "--capacity", "100000", "--count", String(MEMORY_TOKENS)]),
        runChild(["memory", "--capacity", "10000", "--count", String(MEMORY_TOKENS / 2)]),
      ])
    ).map((s) => JSON.parse(s) as MemoryResult);
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  loads.push(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  report(results, roundRatios, micro, memory, loads, (performance.now() - started) / 1000);
}

function report(
  results: Record<CaseKey, LoadResult[]>,
  ratios: Record<string, number[]>,
  micro: MicroResult,
  memory: MemoryResult[],
  loads: string[],
  seconds: number,
) {
  console.log("");
  console.log(`machine: ${machine()}`);
  console.log(
    `settings: ${ROUNDS} rounds x ${SECONDS}s per HTTP case (light-load cases ${SECONDS + 1}s), ${CONNECTIONS} connections, ` +
      `storm ${STORM_CONNECTIONS} connections, AUTH_RATE_LIMIT=off, NODE_ENV=production`,
  );
  const rows: (string[] | string)[] = [`HTTP over loopback: median of ${ROUNDS} interleaved rounds; CPU = server process group per request`];
  for (const key of Object.keys(LABELS) as CaseKey[]) {
    const runs = results[key];
    if (!runs.length) continue;
    const requests = runs.reduce((a, r) => a + r.requests, 0);
    const non2xx = runs.reduce((a, r) => a + r.non2xx, 0);
    const errors = runs.reduce((a, r) => a + r.errors, 0);
    let notes = `${fmtNumber(requests)} req`;
    if (key === "refresh") notes += `, ${fmtNumber(runs.reduce((a, r) => a + (r.rotated ?? 0), 0))} rotated`;
    if (key === "loginStorm") notes += "; rate = logins/s, CPU = whole server per login";
    rows.push([
      LABELS[key],
      fmtRate(median(runs.map((r) => r.rps))),
      fmtMs(median(runs.map((r) => r.p50))),
      fmtMs(median(runs.map((r) => r.p99))),
      fmtMs(median(runs.map((r) => r.cpuPerReq))),
      `${fmtNumber(non2xx)}${errors ? ` (+${errors} err)` : ""}`,
      notes,
    ]);
  }
  rows.push(`in-process: median of ${micro.rows[0]?.rounds ?? "?"} interleaved rounds; rate = ops/s, latency and CPU per op`);
  for (const m of micro.rows) rows.push([m.name, fmtRate(m.opsPerSec), fmtMs(m.p50Ms), fmtMs(m.p99Ms), fmtMs(m.cpuMsPerOp), "-", ""]);
  rows.push("verified-token cache memory after GC (distinct tokens verified and cached)");
  for (const m of memory) {
    rows.push([
      `createVerifiedTokenCache(${fmtNumber(m.capacity)}), ${fmtNumber(m.count)} tokens`,
      "-",
      "-",
      "-",
      "-",
      "-",
      `${fmtNumber(m.cached)} kept: heap +${m.heapMB.toFixed(1)} MB, RSS +${m.rssMB.toFixed(1)} MB, ${m.bytesPerEntry.toFixed(0)} B/entry`,
    ]);
  }
  console.log("");
  console.log(table(["case", "rate/s", "p50", "p99", "CPU", "non-2xx", "notes"], rows));

  const refreshRuns = results.refresh;
  const refreshTotal = refreshRuns.reduce((a, r) => a + r.requests, 0);
  const refreshBad = refreshRuns.reduce((a, r) => a + r.non2xx + r.errors, 0);
  const refreshValid = refreshTotal > 0 && refreshBad / refreshTotal < 0.01;
  const key = (a: string, b: string) => `${a}/${b}`;
  const m = (list: number[] | undefined) => median(list ?? []);
  /** An in-process ratio row: a's ops/s (and CPU) over b's, from the micro section. */
  const microLine = (name: string, a: string, b: string, extra: Partial<Line> = {}): Line => ({
    name,
    req: m(micro.ratios[key(a, b)]),
    cpu: m(micro.cpuRatios[key(a, b)]),
    ...extra,
  });
  const big = memory.find((x) => x.capacity >= MEMORY_TOKENS);

  type Line = {
    name: string;
    req?: number;
    cpu?: number;
    /** per-round values of the req/s (or latency) ratio, for the spread */
    spread?: number[];
    target?: { op: ">=" | "<="; x: number };
    unit?: string;
    note?: string;
  };
  const lines: Line[] = [
    { name: "guarded page / pass-through page", req: m(ratios.guard), spread: ratios.guard, cpu: m(ratios.guardCpu), target: { op: ">=", x: 0.95 } },
    { name: "unguarded page / pass-through page (/bench has no account layout)", req: m(ratios.unguarded), spread: ratios.unguarded, cpu: m(ratios.unguardedCpu) },
    { name: "GET /api/me / trivial handler", req: m(ratios.me), spread: ratios.me, cpu: m(ratios.meCpu), target: { op: ">=", x: 0.8 } },
    {
      name: "POST /api/auth/refresh / trivial handler",
      req: m(ratios.refresh),
      cpu: m(ratios.refreshCpu),
      spread: ratios.refresh,
      target: { op: ">=", x: 0.7 },
      note: refreshValid ? undefined : `INVALID: ${refreshBad} of ${refreshTotal} refreshes failed`,
    },
    microLine("rotation tx: Store / raw better-sqlite3", MICRO.txStore, MICRO.txRaw, {
      spread: micro.ratios[key(MICRO.txStore, MICRO.txRaw)],
      target: { op: ">=", x: 0.9 },
    }),
    { name: "/api/me p99 during login storm / idle p99 (latency)", req: m(ratios.stormMe), spread: ratios.stormMe, target: { op: "<=", x: 3 } },
    { name: "trivial handler p99 during storm / idle p99 (latency, diagnostic)", req: m(ratios.stormTrivial), spread: ratios.stormTrivial },
    microLine("verifyAccessToken / raw node:crypto verify", MICRO.verifyJose, MICRO.verifyRaw),
    microLine("raw crypto.subtle verify / raw node:crypto verify", MICRO.verifySubtle, MICRO.verifyRaw),
    microLine("verified-token cache hit / raw node:crypto verify", MICRO.cacheHit, MICRO.verifyRaw),
    microLine("signAccessToken / raw node:crypto sign", MICRO.signJose, MICRO.signRaw),
  ];
  // The guard's own cost, in-process: proxy() with the guard (cached token) minus pass-through,
  // CPU per call; set against the page's CPU per request it predicts the guarded/pass-through
  // ratio without the HTTP noise (the guard is microseconds, a page render milliseconds).
  const cpuOf = (name: string) => micro.rows.find((r) => r.name === name)?.cpuMsPerOp ?? NaN;
  const guardCostMs = cpuOf(MICRO.proxyGuardHit) - cpuOf(MICRO.proxyPassThrough);
  const pageCpuMs = median(results.pagePassThrough.map((r) => r.cpuPerReq));
  if (Number.isFinite(guardCostMs) && Number.isFinite(pageCpuMs)) {
    lines.splice(1, 0, {
      name: `  predicted from in-process proxy(): guard +${fmtMs(guardCostMs)} CPU on a ${fmtMs(pageCpuMs)} page`,
      cpu: pageCpuMs / (pageCpuMs + Math.max(0, guardCostMs)),
      target: { op: ">=", x: 0.95 },
    });
  }
  if (big) lines.push({ name: "verified-token cache heap growth, 100k tokens", req: big.heapMB, target: { op: "<=", x: 50 }, unit: " MB" });

  const fmt = (x: number | undefined, unit?: string) =>
    x === undefined || !Number.isFinite(x) ? "" : unit ? `${x.toFixed(1)}${unit}` : `${x >= 100 ? x.toFixed(0) : x.toFixed(3)}x`;
  const verdict = (x: number | undefined, t: Line["target"]) =>
    x === undefined || !t || !Number.isFinite(x) ? "" : (t.op === ">=" ? x >= t.x : x <= t.x) ? "MET" : "MISSED";
  console.log("");
  console.log(
    table(
      ["ratio (median of per-round ratios)", "req/s", "rounds min-max", "verdict", "CPU-based", "verdict", "target"],
      lines.map((l) => [
        l.name,
        fmt(l.req, l.unit),
        l.spread?.some(Number.isFinite) ? `${fmt(Math.min(...l.spread.filter(Number.isFinite)))}-${fmt(Math.max(...l.spread.filter(Number.isFinite)))}` : "",
        verdict(l.req, l.target),
        fmt(l.cpu),
        verdict(l.cpu, l.target),
        l.target ? `${l.target.op} ${l.target.x}${l.unit ?? "x"}${l.note ? `  ${l.note}` : ""}` : (l.note ?? ""),
      ]),
    ),
  );
  console.log("");
  console.log(
    "req/s: the ratio of throughputs (ops/s in-process), as the targets are stated; latency rows compare p99s.\n" +
      "CPU-based: the inverse ratio of CPU time per request (per op), which a busy shared machine disturbs less.\n" +
      "predicted: page CPU / (page CPU + the guard's in-process CPU cost), for a difference too small for HTTP to resolve.",
  );
  console.log(`load average at each round start: ${loads.slice(0, -1).join(", ")}; at the end: ${loads.at(-1)}. bench took ${seconds.toFixed(0)}s`);

  const outDir = path.join("bench", "results");
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: machine(), rounds: ROUNDS, seconds: SECONDS, loads, results, ratios, micro, memory }, null, 2));
  log(`raw results: ${file} (git-ignored)`);
}

main().then(
  () => process.exit(0),
  (error) => {
    stopAll();
    console.error(`\n[bench] failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
