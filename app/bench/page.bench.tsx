import { connection } from "next/server";
import { BenchContent } from "./content.bench";

export const metadata = { title: "Benchmark", robots: { index: false } };

/**
 * Unguarded benchmark page (not under /dashboard, /account or /admin): the proxy runs, its guard
 * does not. Only in the benchmark build (BENCH_BUILD=1; see next.config.ts).
 */
export default async function BenchPage() {
  await connection(); // rendered for every request, like the app's own pages
  return <BenchContent />;
}
