/** Runs bench/micro.ts's timing and memory parts in child processes (node --expose-gc) and parses their JSON. */
import { spawn } from "node:child_process";
import path from "node:path";
import { MEMORY_TOKENS, ROUNDS, log } from "./config";
import type { MemoryResult } from "./memory";
import type { MicroResult } from "./micro-harness";
import type { Argon2Result } from "../cases/argon2";

async function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", path.join("bench", "micro.ts"), ...args], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench/micro.ts ${args.join(" ")} exited ${code}`)),
    );
  });
}

/** The argon2id-only limit (bench/cases/argon2.ts), measured alone in a child process. */
export async function runArgon2Limit(seconds = 4): Promise<Argon2Result> {
  log(`argon2id-only limit: ${seconds}s of password verifications at the server's parameters and cap`);
  return JSON.parse(await runChild(["argon2", "--seconds", String(seconds)])) as Argon2Result;
}

/** The in-process timing (2 x ROUNDS - 1 rounds, at least 5) and the cache's memory at two capacities. */
export async function runInProcess(): Promise<{ micro: MicroResult; memory: MemoryResult[] }> {
  log("micro benchmarks (in-process, no server)");
  const micro = JSON.parse(await runChild(["timing", "--rounds", String(Math.max(2 * ROUNDS - 1, 5))])) as MicroResult;
  log(
    `memory: ${MEMORY_TOKENS.toLocaleString()} distinct tokens verified and cached, capacity 100,000 and the default 10,000`,
  );
  const memory = (
    await Promise.all([
      runChild(["memory", "--capacity", "100000", "--count", String(MEMORY_TOKENS)]),
      runChild(["memory", "--capacity", "10000", "--count", String(MEMORY_TOKENS / 2)]),
    ])
  ).map((s) => JSON.parse(s) as MemoryResult);
  return { micro, memory };
}
