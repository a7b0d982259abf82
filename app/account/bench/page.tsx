import { notFound } from "next/navigation";
import { connection } from "next/server";
import { BenchContent, benchRoutesEnabled } from "@/app/bench/bench-content";

export const metadata = { title: "Benchmark", robots: { index: false } };

/**
 * The same benchmark page under a protected prefix, so the proxy's guard runs for it. Like
 * /bench it does no check of its own: it only measures the request path.
 */
export default async function GuardedBenchPage() {
  await connection();
  if (!benchRoutesEnabled()) notFound();
  return <BenchContent />;
}
