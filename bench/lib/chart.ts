/**
 * The ratio table as a picture (BENCHMARKS.md links it): one bar per ratio that has a target,
 * its value against its target, green when met, red when missed. A plain SVG string, no library.
 */
export type ChartRow = { name: string; value: number; target: { op: ">=" | "<="; x: number } };

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function ratioChart(rows: ChartRow[], title: string): string {
  const barHeight = 22;
  const gap = 8;
  const labelWidth = 530;
  const plotWidth = 420;
  const top = 48;
  const height = top + rows.length * (barHeight + gap) + 40;
  const width = labelWidth + plotWidth + 200;
  // Every ratio here is a "higher is better" fraction of its baseline or a latency multiple: the
  // axis runs to the larger of 1.25 and the biggest value or target shown.
  const max = Math.max(1.25, ...rows.flatMap((r) => [r.value, r.target.x]).filter(Number.isFinite)) * 1.05;
  const x = (v: number) => labelWidth + (Math.min(v, max) / max) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="15" font-weight="600">${escape(title)}</text>`,
    // The 1.0x line: the baseline each ratio is measured against.
    `<line x1="${x(1)}" y1="${top - 8}" x2="${x(1)}" y2="${height - 32}" stroke="#9ca3af" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${height - 16}" text-anchor="middle" fill="#6b7280">1.0x</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * (barHeight + gap);
    const met = row.target.op === ">=" ? row.value >= row.target.x : row.value <= row.target.x;
    const colour = met ? "#16a34a" : "#dc2626";
    parts.push(
      `<text x="${labelWidth - 10}" y="${y + barHeight / 2 + 4}" text-anchor="end">${escape(row.name)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${Math.max(1, x(row.value) - labelWidth)}" height="${barHeight}" fill="${colour}" opacity="0.85"/>`,
      // The target: a black tick across the bar, and its rule in words after it.
      `<line x1="${x(row.target.x)}" y1="${y - 3}" x2="${x(row.target.x)}" y2="${y + barHeight + 3}" stroke="#111827" stroke-width="2"/>`,
      `<text x="${labelWidth + plotWidth + 8}" y="${y + barHeight / 2 + 4}" fill="${colour}">${escape(`${row.value.toFixed(2)}x ${met ? "met" : "missed"} (${row.target.op} ${row.target.x})`)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
