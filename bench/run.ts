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
 * BENCH_CASES (a subset of the HTTP steps), BENCH_MICRO=0 (skip the in-process part).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeySetJson } from "@/lib/auth/keys";
import { closedLoad, httpSteps, setUpAndCheck } from "./cases/http";
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
import { runInProcess } from "./lib/micro-child";
import type { MicroResult } from "./lib/micro-harness";
import { report } from "./lib/report";
import { runRounds, warmUp, type HttpResults } from "./lib/rounds";
import { ensureBuild, freePort, startServer, stopAll, waitReady } from "./lib/server";

/** The production server's environment: a fresh key set and database, rate limits off. */
async function serverEnv(port: number, tmp: string): Promise<Record<string, string>> {
  return {
    NODE_ENV: "production",
    AUTH_SIGNING_KEYS: await generateKeySetJson("ES256"),
    APP_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `file:${path.join(tmp, "bench.db")}`,
    AUTH_RATE_LIMIT: "off",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

/** Starts the server, checks every case, warms up and runs the rounds; stops the server in any case. */
async function runHttp(tmp: string): Promise<HttpResults> {
  const port = await freePort();
  const env = await serverEnv(port, tmp);
  try {
    const A = startServer("A", port, env, tmp);
    log(`server ready in ${(await waitReady(A, "/api/bench/trivial")).toFixed(1)}s on ${A.origin}`);
    const cookie = await setUpAndCheck(A);
    const only = ONLY;
    const steps = httpSteps(A, cookie).filter((s) => !only || only.includes(s.name));
    await warmUp(steps, () =>
      closedLoad(A, "/account/bench", 5, cookie).then(() => closedLoad(A, "/bench", 5, cookie)),
    );
    return await runRounds(steps);
  } finally {
    stopAll();
  }
}

async function main() {
  const started = performance.now();
  log(`machine: ${machine()}`);
  log(`rounds ${ROUNDS} x ${SECONDS}s per case, ${CONNECTIONS} connections (storm ${STORM_CONNECTIONS})`);

  const build = ensureBuild(log);
  if (build.built) log(`build took ${build.seconds.toFixed(0)}s (not part of the measurements)`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "auth-bench-"));
  const { results, roundRatios, loads } = await runHttp(tmp);
  await sleep(500);

  let micro: MicroResult = { rows: [], ratios: {}, cpuRatios: {} };
  let memory: MemoryResult[] = [];
  if (!SKIP_MICRO) ({ micro, memory } = await runInProcess());
  fs.rmSync(tmp, { recursive: true, force: true });

  loads.push(loadAverage());
  report(results, roundRatios, micro, memory, loads, (performance.now() - started) / 1000);
}

main().then(
  () => process.exit(0),
  (error) => {
    stopAll();
    console.error(`\n[bench] failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
