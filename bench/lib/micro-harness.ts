/**
 * The in-process timing harness of bench/micro.ts: a hand-written loop timing each operation with
 * process.hrtime.bigint(), a GC before each sample (untimed), a warm-up pass, then interleaved
 * rounds (the order rotated every round, reversed every other round) and medians.
 */
import type { TokenSettings } from "@/lib/auth/access-token";
import { median, percentile } from "./stats";

type MicroRow = {
  name: string;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerOp: number;
  rounds: number;
};
export type MicroResult = {
  rows: MicroRow[];
  /** Per-round throughput ratios a/b (ops/s), keyed "a/b". */
  ratios: Record<string, number[]>;
  /** Per-round CPU ratios (CPU per op of b / CPU per op of a: above 1 means a is cheaper), keyed "a/b". */
  cpuRatios: Record<string, number[]>;
};

/** Token settings for the in-process cases (no server: any issuer and audience will do). */
export const SETTINGS: TokenSettings = {
  issuer: "http://127.0.0.1:1",
  audience: "http://127.0.0.1:1",
  accessTokenTtl: 900,
};

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export type Case = {
  name: string;
  /** Timed units per sample; each unit runs `batch` operations. */
  units: number;
  batch: number;
  async: boolean;
  /** Untimed, before every sample (e.g. precomputed random inputs). */
  prepare?: (ops: number) => unknown;
  op: (i: number) => unknown;
};

type Sample = { opsPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerOp: number };

async function sample(c: Case, scale = 1): Promise<Sample> {
  const units = Math.max(10, Math.round(c.units * scale));
  await c.prepare?.(units * c.batch);
  // Collect the garbage the previous case (or prepare) left, untimed, so it is not billed here.
  (globalThis as { gc?: () => void }).gc?.();
  const perOp = new Float64Array(units);
  let total = 0n;
  let i = 0;
  const cpu0 = process.cpuUsage(); // all threads: the libuv pool's crypto work counts too
  for (let u = 0; u < units; u++) {
    const t0 = process.hrtime.bigint();
    if (c.async) {
      for (let b = 0; b < c.batch; b++) await c.op(i++);
    } else {
      for (let b = 0; b < c.batch; b++) c.op(i++);
    }
    const dt = process.hrtime.bigint() - t0;
    total += dt;
    perOp[u] = Number(dt) / 1e6 / c.batch;
  }
  const cpu = process.cpuUsage(cpu0);
  const ops = units * c.batch;
  return {
    opsPerSec: ops / (Number(total) / 1e9),
    p50Ms: percentile(perOp, 50),
    p99Ms: percentile(perOp, 99),
    cpuMsPerOp: (cpu.user + cpu.system) / 1000 / ops,
  };
}

export async function runRounds(cases: Case[], rounds: number, pairs: [string, string][]): Promise<MicroResult> {
  // Warm-up: JIT, statement caches, the thread pool.
  for (const c of cases) await sample(c, 0.3);
  const per: Record<string, Sample[]> = {};
  const ratios: Record<string, number[]> = {};
  const cpuRatios: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    // Rotated every round and reversed every other round, so no case always follows the same one.
    const order = cases.map((_, i) => cases[(i + r) % cases.length]);
    if (r % 2) order.reverse();
    const thisRound: Record<string, Sample> = {};
    for (const c of order) {
      const s = await sample(c);
      (per[c.name] ??= []).push(s);
      thisRound[c.name] = s;
    }
    for (const [a, b] of pairs) {
      (ratios[`${a}/${b}`] ??= []).push(thisRound[a].opsPerSec / thisRound[b].opsPerSec);
      (cpuRatios[`${a}/${b}`] ??= []).push(thisRound[b].cpuMsPerOp / thisRound[a].cpuMsPerOp);
    }
  }
  const rows = cases.map((c) => ({
    name: c.name,
    opsPerSec: median(per[c.name].map((s) => s.opsPerSec)),
    p50Ms: median(per[c.name].map((s) => s.p50Ms)),
    p99Ms: median(per[c.name].map((s) => s.p99Ms)),
    cpuMsPerOp: median(per[c.name].map((s) => s.cpuMsPerOp)),
    rounds,
  }));
  return { rows, ratios, cpuRatios };
}
