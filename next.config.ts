import type { NextConfig } from "next";
import { configSecurityHeaders } from "@/lib/security/headers";

// `npm run bench` builds and serves its own build (BENCH_BUILD=1): it adds the bench-only pages and
// routes (app/**/*.bench.tsx, *.bench.ts) and lives in .next-bench, so it never touches .next; its
// tsconfig extends ours, so that build leaves tsconfig.json alone. A normal build ignores those
// files: no bench route ships.
const benchBuild = process.env.BENCH_BUILD === "1";
const benchBuildConfig: NextConfig = {
  distDir: ".next-bench",
  pageExtensions: ["tsx", "ts", "jsx", "js", "bench.tsx", "bench.ts"],
  typescript: { tsconfigPath: "bench/tsconfig.bench-build.json" },
};

// Development-only pages (app/**/page.dev.tsx, e.g. /dev/outbox) exist under `next dev` only: a
// production build (NODE_ENV=production) does not know the extension, so they never ship.
const development = process.env.NODE_ENV !== "production";
const pageExtensions = [
  ...((benchBuild && benchBuildConfig.pageExtensions) || ["tsx", "ts", "jsx", "js"]),
  ...(development ? ["dev.tsx"] : []),
];

const nextConfig: NextConfig = {
  ...(benchBuild ? benchBuildConfig : {}),
  pageExtensions,
  // Native modules stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "pino", "rate-limiter-flexible"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Security headers where the proxy does not run (static files); see lib/security/headers.ts.
  headers: async () => configSecurityHeaders(process.env.NODE_ENV === "production"),
  // forbidden() and app/forbidden.tsx: /admin answers a plain user with a real HTTP 403 page.
  experimental: { authInterrupts: true },
};

export default nextConfig;
