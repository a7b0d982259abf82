import type { NextConfig } from "next";
import { configSecurityHeaders } from "@/lib/security/headers";

const nextConfig: NextConfig = {
  // Native modules stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "pino", "rate-limiter-flexible"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Security headers where the proxy does not run (static files); see lib/security-headers.ts.
  headers: async () => configSecurityHeaders(process.env.NODE_ENV === "production"),
  // forbidden() and app/forbidden.tsx: /admin answers a plain user with a real HTTP 403 page.
  experimental: { authInterrupts: true },
};

export default nextConfig;
