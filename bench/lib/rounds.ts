/**
 * The HTTP rounds: a warm-up (not recorded), then ROUNDS interleaved rounds of every step, the
 * order rotated every round and reversed every other round so drift on a shared machine cancels.
 * Ratios are computed within each round (both sides minutes apart at most).
 */
import type { CaseKey, Step } from "../cases/http";
import { LABELS } from "../cases/http";
import { ROUNDS, SECONDS, loadAverage, log, sleep } from "./config";
import type { LoadResult } from "./load";

export type HttpResults = {
  results: Record<CaseKey, LoadResult[]>;
  /** Per-round ratios by name (NaN when a side was skipped). */
  roundRatios: Record<string, number[]>;
  /** The load average at the start of every round. */
  loads: string[];
};

/** Runs each step briefly, unrecorded. A page keeps getting cheaper for ~10 s of traffic (JIT). */
export async function warmUp(steps: Step[], pageWarmUp: () => Promise<unknown>) {
  // Pages get 10 s; the rest a couple of seconds each.
  log(`warm-up (not recorded): ${steps.map((s) => s.name).join(", ")}`);
  if (steps.some((s) => s.name.startsWith("page"))) await pageWarmUp();
  for (const step of steps) await step.run(step.name.startsWith("page") || step.name === "idle" ? 1 : 2);
}

export async function runRounds(steps: Step[]): Promise<HttpResults> {
  const results: Record<CaseKey, LoadResult[]> = Object.fromEntries(Object.keys(LABELS).map((k) => [k, []])) as never;
  const roundRatios: Record<string, number[]> = {};
  const loads: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadAverage());
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
    ratio("guard", x("pageGuarded", "rps") / x("pageUnguarded", "rps"));
    ratio("me", x("me", "rps") / x("trivial", "rps"));
    ratio("refresh", x("refresh", "rps") / x("trivial", "rps"));
    ratio("stormMe", x("meStorm", "p99") / x("meIdle", "p99"));
    ratio("stormTrivial", x("trivialStorm", "p99") / x("trivialIdle", "p99"));
    ratio("guardCpu", x("pageUnguarded", "cpuPerReq") / x("pageGuarded", "cpuPerReq"));
    ratio("meCpu", x("trivial", "cpuPerReq") / x("me", "cpuPerReq"));
    ratio("refreshCpu", x("trivial", "cpuPerReq") / x("refresh", "cpuPerReq"));
    ratio("refreshPost", x("refresh", "rps") / x("trivialPost", "rps"));
    ratio("refreshPostCpu", x("trivialPost", "cpuPerReq") / x("refresh", "cpuPerReq"));
    // The auth work's share of a signed-in page: the same page signed out (no guard, no full check).
    ratio("authPage", x("pageGuarded", "rps") / x("pageSignedOut", "rps"));
    ratio("authPageCpu", x("pageSignedOut", "cpuPerReq") / x("pageGuarded", "cpuPerReq"));
    ratio("mePg", x("mePg", "rps") / x("trivialPg", "rps"));
    ratio("refreshPg", x("refreshPg", "rps") / x("trivialPg", "rps"));
    ratio("pgMe", x("mePg", "rps") / x("me", "rps"));
    ratio("pgRefresh", x("refreshPg", "rps") / x("refresh", "rps"));
    ratio("pgLogin", x("loginStormPg", "rps") / x("loginStorm", "rps"));
    log(
      `round ${r + 1}/${ROUNDS} (load average ${loads.at(-1)}): req/s ratios guard ${roundRatios.guard.at(-1)!.toFixed(3)}, ` +
        `me ${roundRatios.me.at(-1)!.toFixed(3)}, refresh ${roundRatios.refresh.at(-1)!.toFixed(3)}; CPU ratios guard ` +
        `${roundRatios.guardCpu.at(-1)!.toFixed(3)}, me ${roundRatios.meCpu.at(-1)!.toFixed(3)}, refresh ` +
        `${roundRatios.refreshCpu.at(-1)!.toFixed(3)}; storm p99 x${roundRatios.stormMe.at(-1)!.toFixed(1)}`,
    );
  }
  return { results, roundRatios, loads };
}
