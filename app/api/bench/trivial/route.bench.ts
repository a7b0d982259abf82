import { NextResponse, type NextRequest } from "next/server";

export const dynamic = "force-dynamic";

/**
 * The benchmark's baseline route handlers (bench/run.ts), so /api/me and /api/auth/refresh can be
 * compared with the cost of the framework alone. GET: a small JSON answer and nothing else. POST:
 * what Next does for any POST that answers the way a refresh does (the request's cookie read, a
 * small JSON body, two Set-Cookie lines of a refresh's size), with none of the auth work.
 * Only in the benchmark build (BENCH_BUILD=1; see next.config.ts).
 */
export function GET() {
  return NextResponse.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
}

const ACCESS_SIZED = "a".repeat(560);
const REFRESH_SIZED = "r".repeat(92);

export function POST(req: NextRequest) {
  const sent = req.headers.get("cookie")?.length ?? 0;
  const res = NextResponse.json({ ok: true, sent }, { headers: { "Cache-Control": "no-store" } });
  res.headers.append("Set-Cookie", `bench-a=${ACCESS_SIZED}; Path=/; Max-Age=300; Secure; HttpOnly; SameSite=Lax`);
  res.headers.append(
    "Set-Cookie",
    `bench-r=${REFRESH_SIZED}; Path=/api/auth; Max-Age=3600; Secure; HttpOnly; SameSite=Strict`,
  );
  return res;
}
