/**
 * Security headers, CORS and the proxy's own answers (ASVS 5.0 V3.4, V3.5.2, V4.1): a CSP with
 * no inline script but by nonce, frame-ancestors 'none', nosniff, Referrer-Policy,
 * Permissions-Policy, HSTS in production only; Cache-Control: no-store on auth and identity
 * answers; CORS only for an exact allow-listed origin on the read-only identity and key routes;
 * redirect Locations from APP_URL. The proxy function is called directly here; over real HTTP
 * (static files, 404s, Next's own answers, HSTS in production) in e2e/attacks-http.spec.ts.
 */
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";
import { corsHeaders } from "@/lib/security/origin";
import {
  HSTS,
  STATIC_CSP,
  configSecurityHeaders,
  contentSecurityPolicy,
  securityHeaders,
} from "@/lib/security/headers";
import { unsigned } from "./forge";
import { APP, configureTestEnv } from "./http-client";

const PARTNER = "https://partner.example";
let proxy: (req: NextRequest) => Promise<Response>;

beforeAll(async () => {
  await configureTestEnv({ CORS_ORIGINS: `${PARTNER}, https://other.partner.example` });
  proxy = (await import("@/proxy")).proxy;
});

const request = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  new NextRequest(`${APP}${path}`, { method: init.method ?? "GET", headers: init.headers });

function directives(csp: string) {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

describe("lib/security-headers.ts", () => {
  it("the CSP allows script only from self and by per-request nonce: no 'unsafe-inline', no 'unsafe-eval' in production", () => {
    const csp = directives(contentSecurityPolicy("abc123", false));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    // Development adds eval for React's tooling, never inline script.
    expect(directives(contentSecurityPolicy("n", true)).get("script-src")).not.toContain("'unsafe-inline'");
  });

  it("HSTS only in production; the rest everywhere", () => {
    const prod = securityHeaders("n", { dev: false, production: true });
    const dev = securityHeaders("n", { dev: true, production: false });
    expect(prod["Strict-Transport-Security"]).toBe(HSTS);
    expect(HSTS).toMatch(/max-age=(\d{8,})/);
    expect(dev["Strict-Transport-Security"]).toBeUndefined();
    for (const h of [prod, dev]) {
      expect(h).toMatchObject({
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": expect.stringContaining("camera=()"),
      });
    }
  });

  it("next.config headers: the base set on every path, a no-script CSP where the proxy does not run", () => {
    const prod = configSecurityHeaders(true);
    const all = prod.find((rule) => rule.source === "/:path*")!;
    expect(Object.fromEntries(all.headers.map((h) => [h.key, h.value]))).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Strict-Transport-Security": HSTS,
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
    expect(all.headers.some((h) => h.key === "Content-Security-Policy")).toBe(false);
    for (const source of ["/_next/static/:path*", "/_next/image", "/(favicon\\.ico|robots\\.txt)"]) {
      expect(prod.find((rule) => rule.source === source)?.headers).toEqual([
        { key: "Content-Security-Policy", value: STATIC_CSP },
      ]);
    }
    const dev = configSecurityHeaders(false).find((rule) => rule.source === "/:path*")!;
    expect(dev.headers.some((h) => h.key === "Strict-Transport-Security")).toBe(false);
  });
});

describe("the proxy's answers carry the headers", () => {
  it("a page passed through: CSP with a fresh nonce on the response and handed to the render", async () => {
    const a = await proxy(request("/login"));
    const b = await proxy(request("/login"));
    const csp = a.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).not.toBe(b.headers.get("content-security-policy"));
    expect(a.headers.get("x-middleware-request-x-nonce")).toBeTruthy();
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(a.headers.get("permissions-policy")).toContain("geolocation=()");
  });

  it("the sign-in redirect: headers, no-store, and a Location built from APP_URL even with a forged Host and X-Forwarded-Host", async () => {
    const res = await proxy(
      request("/dashboard?tab=1", {
        headers: {
          host: "evil.example",
          "x-forwarded-host": "evil2.example",
          "x-forwarded-proto": "https",
          forwarded: "host=evil3.example",
        },
      }),
    );
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin).toBe(APP);
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("next")).toBe("/dashboard?tab=1");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("auth and identity paths get Cache-Control: no-store from the proxy too (covers Next's own 405s)", async () => {
    for (const path of ["/api/auth/login", "/api/auth/sessions/x", "/api/me", "/api/auth"]) {
      expect((await proxy(request(path, { method: "PUT" }))).headers.get("cache-control"), path).toBe("no-store");
    }
    expect((await proxy(request("/.well-known/jwks.json"))).headers.get("cache-control")).toBeNull();
  });
});

describe("the proxy guards protected paths whatever their spelling (signed out, or a forged cookie)", () => {
  const VARIANTS = [
    "/dashboard",
    "/dashboard/",
    "/dashboard.rsc",
    "/dashboard.txt",
    "/dashboard?_rsc=1",
    "/%64ashboard",
    "/%64%61%73%68%62%6f%61%72%64",
    "/DASHBOARD",
    "/DashBoard",
    "//dashboard",
    "///dashboard/",
    "/dashboard%2F",
    "/dashboard%",
    "/account",
    "/account/sessions",
    "/ACCOUNT/security",
    "/%61ccount/sessions",
    "/admin",
    "/admin/users",
    "/%61dmin",
  ];

  it(`${VARIANTS.length} spellings of /dashboard, /account and /admin redirect to sign-in without a cookie`, async () => {
    for (const path of VARIANTS) {
      const res = await proxy(request(path));
      expect(res.status, path).toBe(307);
      expect(new URL(res.headers.get("location")!).pathname, path).toBe("/login");
    }
  });

  it("with RSC / prefetch headers and x-middleware-subrequest, still a redirect", async () => {
    for (const headers of <Record<string, string>[]>[
      { rsc: "1" },
      { "next-router-prefetch": "1" },
      { "next-router-segment-prefetch": "/_tree" },
      { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
      { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
    ]) {
      const res = await proxy(request("/dashboard", { headers }));
      expect(res.status, JSON.stringify(headers)).toBe(307);
    }
  });

  it("a forged access cookie (alg none, junk, 8 KB) redirects like no cookie", async () => {
    for (const value of [unsigned("none"), "junk", "a.b.c", "x".repeat(8 * 1024)]) {
      const res = await proxy(request("/dashboard", { headers: { cookie: `__Host-access=${value}` } }));
      expect(res.status).toBe(307);
    }
  });

  it("(control) public paths pass through", async () => {
    for (const path of ["/", "/login", "/register", "/dashboardx", "/accounts", "/administrator"]) {
      const res = await proxy(request(path));
      expect(res.status, path).toBe(200);
      expect(res.headers.get("x-middleware-next"), path).toBe("1");
    }
  });
});

describe("CORS: an exact allow-list, read-only routes only, never a reflected origin", () => {
  it("/api/me: the allow-listed origin gets itself back with credentials; Vary: Origin", async () => {
    const res = await proxy(request("/api/me", { headers: { origin: PARTNER } }));
    expect(res.headers.get("access-control-allow-origin")).toBe(PARTNER);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("any other origin gets no CORS header at all: evil, null, look-alikes, case and port variants", async () => {
    for (const origin of [
      "https://evil.example",
      "null",
      `${PARTNER}.evil.example`,
      `${PARTNER}:8443`,
      "http://partner.example",
      "https://PARTNER.example",
      `${PARTNER}/`,
      "https://evil.partner.example",
      "*",
      APP,
    ]) {
      for (const method of ["GET", "OPTIONS"]) {
        const res = await proxy(
          request("/api/me", { method, headers: { origin, "access-control-request-method": "GET" } }),
        );
        expect(res.headers.get("access-control-allow-origin"), `${method} ${origin}`).toBeNull();
        expect(res.headers.get("access-control-allow-credentials"), `${method} ${origin}`).toBeNull();
      }
    }
  });

  it("preflight (OPTIONS) from the allow-listed origin: 204, GET/HEAD with Authorization, nothing more", async () => {
    const res = await proxy(
      request("/api/me", {
        method: "OPTIONS",
        headers: {
          origin: PARTNER,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(PARTNER);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, HEAD");
    expect(res.headers.get("access-control-allow-headers")).toBe("Authorization");
    expect(res.headers.get("content-security-policy")).toBeTruthy();
  });

  it("the JWKS is readable by an allow-listed origin without credentials", async () => {
    const res = await proxy(request("/.well-known/jwks.json", { headers: { origin: PARTNER } }));
    expect(res.headers.get("access-control-allow-origin")).toBe(PARTNER);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("state-changing and session routes never answer cross-origin, even to an allow-listed origin", async () => {
    for (const path of [
      "/api/auth/login",
      "/api/auth/refresh",
      "/api/auth/logout",
      "/api/auth/session",
      "/api/auth/sessions",
      "/api/auth/password",
    ]) {
      for (const method of ["POST", "OPTIONS", "GET"]) {
        const res = await proxy(
          request(path, { method, headers: { origin: PARTNER, "access-control-request-method": "POST" } }),
        );
        expect(res.headers.get("access-control-allow-origin"), `${method} ${path}`).toBeNull();
      }
    }
  });

  it("no allow-list configured: no CORS headers anywhere (corsHeaders unit)", () => {
    expect(corsHeaders("/api/me", PARTNER, [])).toBeNull();
    expect(corsHeaders("/api/auth/login", PARTNER, [PARTNER])).toBeNull();
    expect(corsHeaders("/api/me", "https://evil.example", [PARTNER])).toEqual({ Vary: "Origin" });
  });

  it("CORS_ORIGINS accepts only exact origins: '*', paths and junk stop start-up", () => {
    for (const value of ["*", "https://partner.example/path", "partner.example", "https://*.example"]) {
      expect(() => parseConfig({ CORS_ORIGINS: value }), value).toThrow(ConfigError);
    }
    expect(parseConfig({ CORS_ORIGINS: `${PARTNER}, https://b.example` }).corsOrigins).toEqual([
      PARTNER,
      "https://b.example",
    ]);
  });
});
