import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/**
 * The benchmark's baseline route handler (bench/run.ts): a small JSON answer and nothing else,
 * so /api/me and /api/auth/refresh can be compared with the cost of the framework alone.
 * Only in the benchmark build (BENCH_BUILD=1; see next.config.ts).
 */
export function GET() {
  return NextResponse.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
}
