import { connection } from "next/server";
import { BenchContent } from "@/app/bench/content.bench";

export const metadata = { title: "Benchmark", robots: { index: false } };

/**
 * The same benchmark page under a protected prefix, so the proxy's guard runs for it. Like
 * /bench it does no check of its own: it only measures the request path. Only in the benchmark
 * build (BENCH_BUILD=1; see next.config.ts).
 */
export default async function GuardedBenchPage() {
  await connection();
  return <BenchContent />;
}
