/**
 * What `npm run bench` prints: the case table (HTTP, in-process, memory), the ratio table with
 * MET/MISSED per target, and the raw results file under bench/results/ (git-ignored).
 */
import fs from "node:fs";
import path from "node:path";
import { LABELS, type CaseKey } from "../cases/http";
import { CONNECTIONS, MEMORY_TOKENS, ROUNDS, SECONDS, STORM_CONNECTIONS, log, machine } from "./config";
import type { LoadResult } from "./load";
import type { MemoryResult } from "./memory";
import type { MicroResult } from "./micro-harness";
import type { Argon2Result } from "../cases/argon2";
import { MICRO } from "./names";
import { ratioChart } from "./chart";
import { fmtMs, fmtNumber, fmtRate, median, table } from "./stats";

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

function caseTable(results: Record<CaseKey, LoadResult[]>, micro: MicroResult, memory: MemoryResult[]): string {
  const rows: (string[] | string)[] = [
    `HTTP over loopback: median of ${ROUNDS} interleaved rounds; CPU = server process group per request`,
  ];
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
  rows.push(
    `in-process: median of ${micro.rows[0]?.rounds ?? "?"} interleaved rounds; rate = ops/s, latency and CPU per op`,
  );
  for (const m of micro.rows)
    rows.push([m.name, fmtRate(m.opsPerSec), fmtMs(m.p50Ms), fmtMs(m.p99Ms), fmtMs(m.cpuMsPerOp), "-", ""]);
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
  return table(["case", "rate/s", "p50", "p99", "CPU", "non-2xx", "notes"], rows);
}

function ratioLines(
  results: Record<CaseKey, LoadResult[]>,
  ratios: Record<string, number[]>,
  micro: MicroResult,
  memory: MemoryResult[],
  extra: Extra,
): Line[] {
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

  const lines: Line[] = [
    {
      name: "guarded page / unguarded page (same page, same server)",
      req: m(ratios.guard),
      spread: ratios.guard,
      cpu: m(ratios.guardCpu),
      target: { op: ">=", x: 0.95 },
    },
    {
      name: "signed-in page: guard + full check share (guarded / signed-out page)",
      req: m(ratios.authPage),
      spread: ratios.authPage,
      cpu: m(ratios.authPageCpu),
      target: { op: ">=", x: 0.9 },
    },
    {
      name: "GET /api/me / trivial handler",
      req: m(ratios.me),
      spread: ratios.me,
      cpu: m(ratios.meCpu),
      target: { op: ">=", x: 0.95 },
    },
    {
      name: "POST /api/auth/refresh / trivial handler",
      req: m(ratios.refresh),
      cpu: m(ratios.refreshCpu),
      spread: ratios.refresh,
      target: { op: ">=", x: 0.85 },
      note: refreshValid ? undefined : `INVALID: ${refreshBad} of ${refreshTotal} refreshes failed`,
    },
    {
      name: "  POST /api/auth/refresh / trivial POST with two cookies (diagnostic)",
      req: m(ratios.refreshPost),
      cpu: m(ratios.refreshPostCpu),
      spread: ratios.refreshPost,
    },
    {
      name: `login storm / argon2id-only limit (${extra.argon2 ? `${extra.argon2.opsPerSec.toFixed(1)}/s at cap ${extra.argon2.concurrency}` : "not measured"})`,
      req: extra.argon2 ? m(results.loginStorm.map((r) => r.rps)) / extra.argon2.opsPerSec : undefined,
      target: { op: ">=", x: 0.9 },
    },
    {
      name: "[PostgreSQL] GET /api/me / trivial handler",
      req: m(ratios.mePg),
      spread: ratios.mePg,
      target: { op: ">=", x: 0.9 },
    },
    {
      name: "[PostgreSQL] POST /api/auth/refresh / trivial handler",
      req: m(ratios.refreshPg),
      spread: ratios.refreshPg,
      target: { op: ">=", x: 0.6 },
    },
    {
      name: "GET /api/me: PostgreSQL / SQLite",
      req: m(ratios.pgMe),
      spread: ratios.pgMe,
      target: { op: ">=", x: 0.85 },
    },
    {
      name: "POST /api/auth/refresh: PostgreSQL / SQLite",
      req: m(ratios.pgRefresh),
      spread: ratios.pgRefresh,
      target: { op: ">=", x: 0.7 },
    },
    { name: "login storm: PostgreSQL / SQLite (diagnostic)", req: m(ratios.pgLogin), spread: ratios.pgLogin },
    microLine("rotation tx: Store / raw better-sqlite3", MICRO.txStore, MICRO.txRaw, {
      spread: micro.ratios[key(MICRO.txStore, MICRO.txRaw)],
      target: { op: ">=", x: 0.9 },
    }),
    {
      name: "/api/me p99 during login storm / idle p99 (latency)",
      req: m(ratios.stormMe),
      spread: ratios.stormMe,
      target: { op: "<=", x: 3 },
    },
    {
      name: "trivial handler p99 during storm / idle p99 (latency, diagnostic)",
      req: m(ratios.stormTrivial),
      spread: ratios.stormTrivial,
    },
    microLine("verifyAccessToken / raw node:crypto verify", MICRO.verifyJose, MICRO.verifyRaw),
    microLine("raw crypto.subtle verify / raw node:crypto verify", MICRO.verifySubtle, MICRO.verifyRaw),
    microLine("verified-token cache hit / raw node:crypto verify", MICRO.cacheHit, MICRO.verifyRaw),
    microLine("signAccessToken / raw node:crypto sign", MICRO.signJose, MICRO.signRaw),
  ];
  // The guard's own cost, in-process: proxy() on the protected path (guard, cached token) minus
  // proxy() on the unprotected path, CPU per call; set against the unguarded page's CPU per
  // request it predicts the guarded/unguarded ratio without the HTTP noise (the guard is
  // microseconds, a page render milliseconds).
  const cpuOf = (name: string) => micro.rows.find((r) => r.name === name)?.cpuMsPerOp ?? NaN;
  const guardCostMs = cpuOf(MICRO.proxyGuardHit) - cpuOf(MICRO.proxyUnguarded);
  const pageCpuMs = median(results.pageUnguarded.map((r) => r.cpuPerReq));
  if (Number.isFinite(guardCostMs) && Number.isFinite(pageCpuMs)) {
    lines.splice(1, 0, {
      name: `  predicted from in-process proxy(): guard +${fmtMs(guardCostMs)} CPU on a ${fmtMs(pageCpuMs)} page`,
      cpu: pageCpuMs / (pageCpuMs + Math.max(0, guardCostMs)),
      target: { op: ">=", x: 0.95 },
    });
  }
  for (const server of extra.rss ?? [])
    lines.push({
      name: `RSS growth over the run, ${server.name} server (${server.beforeMiB.toFixed(0)} -> ${server.afterMiB.toFixed(0)} MiB)`,
      req: server.afterMiB - server.beforeMiB,
      target: { op: "<=", x: 100 },
      unit: " MiB",
    });
  if (big)
    lines.push({
      name: "verified-token cache heap growth, 100k tokens",
      req: big.heapMB,
      target: { op: "<=", x: 50 },
      unit: " MB",
    });
  return lines;
}

function ratioTable(lines: Line[]): string {
  const fmt = (x: number | undefined, unit?: string) =>
    x === undefined || !Number.isFinite(x)
      ? ""
      : unit
        ? `${x.toFixed(1)}${unit}`
        : `${x >= 100 ? x.toFixed(0) : x.toFixed(3)}x`;
  const verdict = (x: number | undefined, t: Line["target"]) =>
    x === undefined || !t || !Number.isFinite(x) ? "" : (t.op === ">=" ? x >= t.x : x <= t.x) ? "MET" : "MISSED";
  return table(
    ["ratio (median of per-round ratios)", "req/s", "rounds min-max", "verdict", "CPU-based", "verdict", "target"],
    lines.map((l) => [
      l.name,
      fmt(l.req, l.unit),
      l.spread?.some(Number.isFinite)
        ? `${fmt(Math.min(...l.spread.filter(Number.isFinite)))}-${fmt(Math.max(...l.spread.filter(Number.isFinite)))}`
        : "",
      verdict(l.req, l.target),
      fmt(l.cpu),
      verdict(l.cpu, l.target),
      l.target ? `${l.target.op} ${l.target.x}${l.unit ?? "x"}${l.note ? `  ${l.note}` : ""}` : (l.note ?? ""),
    ]),
  );
}

/** Each server's resident memory after set-up and after the last round (process group, MiB). */
export type RssReading = { name: string; beforeMiB: number; afterMiB: number };
type Extra = { argon2?: Argon2Result; notes: string[]; rss?: RssReading[] };

export function report(
  results: Record<CaseKey, LoadResult[]>,
  ratios: Record<string, number[]>,
  micro: MicroResult,
  memory: MemoryResult[],
  loads: string[],
  seconds: number,
  extra: Extra = { notes: [] },
) {
  console.log("");
  console.log(`machine: ${machine()}`);
  console.log(
    `settings: ${ROUNDS} rounds x ${SECONDS}s per HTTP case (light-load cases ${SECONDS + 1}s), ${CONNECTIONS} connections, ` +
      `storm ${STORM_CONNECTIONS} connections, AUTH_RATE_LIMIT=off, NODE_ENV=production` +
      (process.env.BENCH_NODE_OPTIONS ? `, NODE_OPTIONS=${process.env.BENCH_NODE_OPTIONS}` : ""),
  );
  console.log("");
  console.log(caseTable(results, micro, memory));
  console.log("");
  for (const note of extra.notes) console.log(`database: ${note}`);
  console.log("");
  const lines = ratioLines(results, ratios, micro, memory, extra);
  console.log(ratioTable(lines));
  console.log("");
  console.log(
    "req/s: the ratio of throughputs (ops/s in-process), as the targets are stated; latency rows compare p99s.\n" +
      "CPU-based: the inverse ratio of CPU time per request (per op), which a busy shared machine disturbs less.\n" +
      "predicted: page CPU / (page CPU + the guard's in-process CPU cost), for a difference too small for HTTP to resolve.",
  );
  console.log(
    `load average at each round start: ${loads.slice(0, -1).join(", ")}; at the end: ${loads.at(-1)}. bench took ${seconds.toFixed(0)}s`,
  );

  const outDir = path.join("bench", "results");
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { machine: machine(), rounds: ROUNDS, seconds: SECONDS, loads, results, ratios, micro, memory, extra },
      null,
      2,
    ),
  );
  log(`raw results: ${file} (git-ignored)`);

  // The chart BENCHMARKS.md links: every ratio with a target and a value, req/s-based (CPU-based
  // where only that exists); memory, stated in MB, stays in the table.
  const chartRows = lines.flatMap((l) => {
    const value = Number.isFinite(l.req) ? l.req : l.cpu;
    return l.target && !l.unit && value !== undefined && Number.isFinite(value)
      ? [{ name: l.name.trim(), value, target: l.target }]
      : [];
  });
  const chart = path.join("bench", "ratios.svg");
  fs.writeFileSync(
    chart,
    ratioChart(chartRows, `npm run bench, ${new Date().toISOString().slice(0, 10)}: ratios against their targets`),
  );
  log(`chart: ${chart}`);
}
