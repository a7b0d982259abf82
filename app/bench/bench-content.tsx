/**
 * The page body the HTTP benchmark renders (bench/run.ts): static, no database, no client code.
 * Shared by /bench (outside the proxy's protected prefixes) and /account/bench (inside them), so
 * the cases differ only in what the proxy does.
 */
export function BenchContent() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Benchmark page</h1>
      <p className="mt-2 text-slate-700">A static page for measuring the request path. It exists only when BENCH_ROUTES=1.</p>
    </div>
  );
}

/** Only the benchmark's server sets BENCH_ROUTES=1; anywhere else these pages are a 404. */
export function benchRoutesEnabled(): boolean {
  return process.env.BENCH_ROUTES === "1";
}
