/**
 * Security headers for every response. The CSP allows no inline script without the per-request
 * nonce (Next applies it to its own scripts when it sees the CSP on the request).
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Styles: Tailwind's stylesheet plus the few inline style attributes React and Next write.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const HSTS = "max-age=63072000; includeSubDomains";

/** Everything but the CSP: the same on every response, whatever produced it. */
function baseHeaders(production: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  // HSTS in production only: on a development http://localhost it would pin the browser to https.
  if (production) headers["Strict-Transport-Security"] = HSTS;
  return headers;
}

/** What the proxy puts on every page, API and redirect response it sees. */
export function securityHeaders(nonce: string, options: { dev: boolean; production: boolean }): Record<string, string> {
  return { "Content-Security-Policy": contentSecurityPolicy(nonce, options.dev), ...baseHeaders(options.production) };
}

/** For responses that are never HTML (scripts, styles, images): nothing may run or frame them. */
export const STATIC_CSP = "default-src 'none'; frame-ancestors 'none'";

/** For answers written before Next runs (lib/server/request-guard.ts): the base set and a no-script CSP. */
export function plainAnswerHeaders(production: boolean): Record<string, string> {
  return { "Content-Security-Policy": STATIC_CSP, ...baseHeaders(production), "Cache-Control": "no-store" };
}

/**
 * next.config.ts `headers()`: the proxy does not run for static files (its matcher leaves out
 * /_next/static, /_next/image, favicon.ico and robots.txt, to stay off the hot path), so these
 * headers are set there by configuration: the base set on every path (the proxy sets the same
 * values again where it runs), and a no-script CSP on the paths the proxy skips.
 */
export function configSecurityHeaders(production: boolean) {
  const toList = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }));
  const staticCsp = [{ key: "Content-Security-Policy", value: STATIC_CSP }];
  return [
    { source: "/:path*", headers: toList(baseHeaders(production)) },
    { source: "/_next/static/:path*", headers: staticCsp },
    { source: "/_next/image", headers: staticCsp },
    { source: "/(favicon\\.ico|robots\\.txt)", headers: staticCsp },
  ];
}
