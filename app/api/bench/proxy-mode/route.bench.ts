import { timingSafeEqual } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store" };

function authorised(req: NextRequest): boolean {
  const secret = process.env.BENCH_ROUTES_SECRET ?? "";
  const given = req.headers.get("x-bench-secret") ?? "";
  if (process.env.BENCH_ROUTES !== "1" || secret.length < 32 || given.length !== secret.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(secret));
}

/**
 * The benchmark's switch for the proxy's guard (bench/run.ts). proxy.ts reads
 * BENCH_PROXY_PASS_THROUGH on every request; flipping it in this process lets one server measure
 * the same page with and without the guard, back to back, so the two cases differ in the proxy's
 * work only (two servers differed by ~20% on their own: see BENCHMARKS.md).
 * Only in the benchmark build (BENCH_BUILD=1; see next.config.ts), and there it needs
 * BENCH_ROUTES=1 and a BENCH_ROUTES_SECRET of 32+ characters sent as x-bench-secret.
 */
export async function POST(req: NextRequest) {
  if (!authorised(req)) {
    return NextResponse.json({ error: "not_found", message: "Not found." }, { status: 404, headers: NO_STORE });
  }
  const passThrough = req.nextUrl.searchParams.get("passThrough") === "1";
  if (passThrough) process.env.BENCH_PROXY_PASS_THROUGH = "1";
  else delete process.env.BENCH_PROXY_PASS_THROUGH;
  return NextResponse.json({ passThrough }, { headers: NO_STORE });
}
