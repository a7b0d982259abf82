/**
 * In-process micro benchmarks (no server). Run by bench/run.ts as a child process
 * (`node --expose-gc --import tsx bench/micro.ts ...`), or on its own:
 *
 *   node --expose-gc --import tsx bench/micro.ts timing [--rounds 5] [--only text] [--out file.json]
 *   node --expose-gc --import tsx bench/micro.ts memory --capacity 100000 --count 100000
 *
 * timing: the cases of bench/cases/tokens.ts, proxy.ts and rotation.ts, run by the harness in
 * bench/lib/micro-harness.ts (interleaved rounds, per-op latencies from process.hrtime.bigint()).
 * memory: heap/RSS growth after verifying and caching N distinct tokens (bench/lib/memory.ts).
 */
import fs from "node:fs";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { argon2Limit } from "./cases/argon2";
import { proxyCases } from "./cases/proxy";
import { rotationCases } from "./cases/rotation";
import { verifyCases } from "./cases/tokens";
import { runMemory } from "./lib/memory";
import { arg, runRounds, type MicroResult } from "./lib/micro-harness";
import { MICRO_RATIOS } from "./lib/names";

export async function runTiming(rounds: number): Promise<MicroResult> {
  const keys = await loadKeySet(await generateKeySetJson("ES256"));
  const verify = await verifyCases(keys);
  const proxyRows = await proxyCases();
  const rotation = await rotationCases();
  try {
    const only = arg("only", "");
    const cases = [...verify, ...proxyRows, ...rotation.cases].filter((c) => !only || c.name.includes(only));
    const pairs = MICRO_RATIOS.filter(([a, b]) => cases.some((c) => c.name === a) && cases.some((c) => c.name === b));
    return await runRounds(cases, rounds, pairs);
  } finally {
    rotation.cleanup();
  }
}

async function main() {
  const mode = process.argv[2];
  const out = arg("out", "");
  let result: unknown;
  if (mode === "timing") result = await runTiming(Number(arg("rounds", "5")));
  else if (mode === "argon2") result = await argon2Limit(Number(arg("seconds", "4")));
  else if (mode === "memory")
    result = await runMemory(Number(arg("capacity", "100000")), Number(arg("count", "100000")));
  else
    throw new Error(
      "usage: micro.ts timing|memory|argon2 [--rounds n] [--capacity n] [--count n] [--seconds n] [--out file]",
    );
  const json = JSON.stringify(result, null, 2);
  if (out) fs.writeFileSync(out, json);
  else console.log(json);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
