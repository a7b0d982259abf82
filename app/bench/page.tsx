import { notFound } from "next/navigation";
import { connection } from "next/server";
import { BenchContent, benchRoutesEnabled } from "./bench-content";

export const metadata = { title: "Benchmark", robots: { index: false } };

/** Unguarded benchmark page (not under /dashboard, /account or /admin). */
export default async function BenchPage() {
  await connection(); // read BENCH_ROUTES at request time, never at build time
  if (!benchRoutesEnabled()) notFound();
  return <BenchContent />;
}
