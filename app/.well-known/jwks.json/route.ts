import { NextResponse } from "next/server";
import { getKeySet } from "@/lib/server/keys";

export const dynamic = "force-dynamic";

/** Public halves only (kid, alg, use "sig"), so other services verify without the private key. */
export async function GET() {
  const keys = await getKeySet();
  return NextResponse.json(keys.publicJwks, {
    headers: { "Cache-Control": "public, max-age=300, stale-while-revalidate=60" },
  });
}
