/**
 * `npm run bench`: the hot path, measured. See BENCHMARKS.md for the design and the last results.
 *
 * 1. Builds the benchmark's own build (BENCH_BUILD=1: the app plus the bench-only routes, in
 *    .next-bench; see bench/lib/server.ts) if it is missing or older than the sources, then starts
 *    it (`next start`, its own process group) on a throwaway database with rate limits off (all
 *    load comes from 127.0.0.1).
 * 2. HTTP cases over loopback with autocannon (bench/cases/http.ts), interleaved in rounds (the
 *    order rotates every round) so drift on this shared machine cancels; medians across rounds,
 *    ratios per round (bench/lib/rounds.ts). The guard's cost: the same page at /bench (the
 *    proxy runs, its guard does not) and at /account/bench (the guard runs), on the same server.
 * 3. In-process micro benchmarks and the verified-token cache's memory (bench/micro.ts, in
 *    child processes with --expose-gc).
 * Prints one table and the ratios with MET/MISSED (bench/lib/report.ts). Exits 0 once it has
 * measured: it reports, it does not fail the build. Knobs: BENCH_ROUNDS (5), BENCH_SECONDS (3),
 * BENCH_CASES (a subset of the HTTP steps), BENCH_MICRO=0 (skip the in-process part),
 * BENCH_ENGINES (sqlite,postgres), BENCH_NODE_OPTIONS (Node flags for the servers).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closedLoad, httpSteps, postgresSteps, setUpAndCheck, type Step } from "./cases/http";
import { enginesToRun, serverEnv, startBacking, type Backing, type Engine } from "./lib/engines";
import {
  CONNECTIONS,
  ONLY,
  ROUNDS,
  SECONDS,
  SKIP_MICRO,
  STORM_CONNECTIONS,
  loadAverage,
  log,
  machine,
  sleep,
} from "./lib/config";
import type { MemoryResult } from "./lib/memory";
import { runArgon2Limit, runInProcess } from "./lib/micro-child";
import type { MicroResult } from "./lib/micro-harness";
import { report, type RssReading } from "./lib/report";
import { runRounds, warmUp, type HttpResults } from "./lib/rounds";
import { ensureBuild, freePort, startServer, stopAll, waitReady, type Server } from "./lib/server";

/**
 * Starts a server per engine (SQLite: every case; PostgreSQL: the database-bound ones), checks
 * every case, warms up and runs the rounds, interleaving both servers' steps; stops them in any case.
 */
async function runHttp(tmp: string, engines: Engine[], notes: string[], rss: RssReading[]): Promise<HttpResults> {
  const backings: Backing[] = [];
  const servers: { name: string; server: Server; beforeMiB: number }[] = [];
  try {
    const steps: Step[] = [];
    let warm: () => Promise<unknown> = async () => undefined;
    for (const engine of engines) {
      const backing = await startBacking(engine, tmp);
      backings.push(backing);
      notes.push(`${engine}: ${backing.note}`);
      const port = await freePort();
      const server = startServer(engine, port, await serverEnv(port, backing), tmp);
      log(
        `${engine} server ready in ${(await waitReady(server, "/api/bench/trivial")).toFixed(1)}s on ${server.origin}`,
      );
      const cookie = await setUpAndCheck(server);
      servers.push({ name: engine === "sqlite" ? "SQLite" : "PostgreSQL", server, beforeMiB: server.rssMiB() });
      if (engine === "sqlite") {
        steps.push(...httpSteps(server, cookie));
        warm = () =>
          closedLoad(server, "/account/bench", 5, cookie).then(() => closedLoad(server, "/bench", 5, cookie));
      } else {
        steps.push(...postgresSteps(server, cookie));
      }
    }
    const only = ONLY;
    const chosen = steps.filter((s) => !only || only.includes(s.name));
    await warmUp(chosen, warm);
    const results = await runRounds(chosen);
    for (const { name, server, beforeMiB } of servers) rss.push({ name, beforeMiB, afterMiB: server.rssMiB() });
    return results;
  } finally {
    stopAll();
    for (const b of backings) await b.stop().catch(() => undefined);
  }
}

async function main() {
  const started = performance.now();
  log(`machine: ${machine()}`);
  log(`rounds ${ROUNDS} x ${SECONDS}s per case, ${CONNECTIONS} connections (storm ${STORM_CONNECTIONS})`);

  const build = ensureBuild(log);
  if (build.built) log(`build took ${build.seconds.toFixed(0)}s (not part of the measurements)`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "auth-bench-"));
  fs.chmodSync(tmp, 0o755); // the PostgreSQL cluster, run as the postgres user, lives under it
  const notes: string[] = [];
  const rss: RssReading[] = [];
  const { results, roundRatios, loads } = await runHttp(tmp, enginesToRun(), notes, rss);
  await sleep(500);
  const argon2 = await runArgon2Limit();

  let micro: MicroResult = { rows: [], ratios: {}, cpuRatios: {} };
  let memory: MemoryResult[] = [];
  if (!SKIP_MICRO) ({ micro, memory } = await runInProcess());
  fs.rmSync(tmp, { recursive: true, force: true });

  loads.push(loadAverage());
  report(results, roundRatios, micro, memory, loads, (performance.now() - started) / 1000, { argon2, notes, rss });
}

main().then(
  () => process.exit(0),
  (error) => {
    stopAll();
    console.error(`\n[bench] failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
