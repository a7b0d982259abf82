/** The HTTP benchmark's knobs and fixed settings, and the helpers every part of bench/run.ts uses. */
import fs from "node:fs";
import os from "node:os";

export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
/** Optional comma-separated subset of HTTP steps (pageUnguarded,pageGuarded,me,trivial,refresh,idle,storm). */
export const ONLY = process.env.BENCH_CASES?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
export const SKIP_MICRO = process.env.BENCH_MICRO === "0";
export const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? 3));
export const CONNECTIONS = 10;
export const STORM_CONNECTIONS = 20;
export const LIGHT = { meConnections: 2, meRate: 100, trivialConnections: 1, trivialRate: 50 };
export const MEMORY_TOKENS = 100_000;
export const EMAIL = "bench@example.com";
export const PASSWORD = "bench-password-123";

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function machine() {
  const cpu =
    /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  return `${os.availableParallelism()} cores (nproc), ${cpu}, node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function loadAverage(): string {
  return fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0];
}
