/**
 * The page body the HTTP benchmark renders (bench/run.ts): static, no database, no client code.
 * Shared by /bench (outside the proxy's protected prefixes) and /account/bench (inside them), so
 * the two pages differ only in what the proxy does.
 *
 * Like every *.bench.tsx / *.bench.ts file under app/, this exists only in the benchmark's own
 * build (BENCH_BUILD=1, in .next-bench; see next.config.ts): a normal `next build` has no bench
 * route.
 */
export function BenchContent() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Benchmark page</h1>
      <p className="mt-2 text-slate-700">
        A static page for measuring the request path. It exists only in the benchmark build.
      </p>
    </div>
  );
}
