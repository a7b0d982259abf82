/** Small statistics and formatting helpers shared by the HTTP and in-process benchmarks. */

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank];
}

export function fmtNumber(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return "n/a";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds shown with a unit that keeps 3 significant digits readable. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toFixed(ms >= 0.1 ? 0 : ms >= 0.01 ? 1 : 2)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

export function fmtRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "n/a";
  return perSecond >= 100 ? fmtNumber(perSecond) : fmtNumber(perSecond, 1);
}

/** A plain-text table with right-aligned columns after the first. */
export function table(header: string[], rows: (string[] | string)[]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.filter((r): r is string[] => Array.isArray(r)).map((r) => (r[i] ?? "").length)),
  );
  const total = widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1);
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ");
  const out = [line(header), "-".repeat(total)];
  for (const r of rows) out.push(Array.isArray(r) ? line(r) : `-- ${r} `.padEnd(total, "-"));
  return out.join("\n");
}
