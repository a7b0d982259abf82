import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/**
 * The benchmark's baseline route handler (bench/run.ts): a small JSON answer and nothing else,
 * so /api/me and /api/auth/refresh can be compared with the cost of the framework alone.
 * Exists only when BENCH_ROUTES=1; anywhere else it is a 404 like any unknown route.
 */
export function GET() {
  if (process.env.BENCH_ROUTES !== "1") {
    return NextResponse.json({ error: "not_found", message: "Not found." }, { status: 404, headers: { "Cache-Control": "no-store" } });
  }
  return NextResponse.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
}
