/**
 * Open redirects (ASVS 5.0 V3.5 / V10.4): `next` after sign-in is accepted only as a same-origin
 * path; everything that could leave the site falls back to /dashboard. The same function builds
 * the proxy's login redirect (whose Location comes from APP_URL: tests/security-headers.test.ts)
 * and the login/register pages' `next` (e2e/attacks-http.spec.ts follows it in a browser).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_LOGIN, safeNextPath } from "@/lib/routing/safe-next-path";

const HOSTILE: [string, string][] = [
  ["protocol-relative", "//evil.example"],
  ["protocol-relative with path", "//evil.example/dashboard"],
  ["triple slash", "///evil.example"],
  ["backslash", "/\\evil.example"],
  ["double backslash", "\\\\evil.example"],
  ["backslash then slash", "/\\/evil.example"],
  ["absolute https", "https://evil.example"],
  ["absolute http", "http://evil.example/dashboard"],
  ["javascript scheme", "javascript:alert(1)"],
  ["data scheme", "data:text/html,<script>alert(1)</script>"],
  ["scheme-relative with tab", "/\t/evil.example"],
  ["encoded slashes", "/%2F%2Fevil.example"],
  ["encoded slashes, no leading slash", "%2F%2Fevil.example"],
  ["mixed encoded slash", "/%2Fevil.example"],
  ["encoded backslash", "/%5Cevil.example"],
  ["encoded backslash lowercase", "/%5cevil.example"],
  ["encoded tab", "/%09/evil.example"],
  ["encoded newline (header injection)", "/dashboard%0d%0aLocation:%20https://evil.example"],
  ["raw CR LF", "/dashboard\r\nSet-Cookie: x=1"],
  ["NUL", "/dashboard\u0000"],
  ["encoded NUL", "/dashboard%00"],
  ["C1 control", "/dashboard\u0085"],
  ["space", "/ /evil.example"],
  ["dot segment to //", "/.//evil.example"],
  ["dot-dot segment to //", "/a/..//evil.example"],
  ["encoded dot segment to //", "/%2e//evil.example"],
  ["encoded dot-dot to //", "/%2e%2e//evil.example"],
  ["broken percent encoding", "/%E0%A4%A"],
  ["userinfo-looking", "//user@evil.example"],
  ["relative path", "dashboard"],
  ["empty", ""],
  ["very long", `/${"a".repeat(600)}`],
  ["back to login (loop)", "/login"],
  ["back to register", "/register?next=/dashboard"],
  ["into the API", "/api/auth/logout"],
];

describe("safeNextPath refuses every way off the site", () => {
  for (const [label, value] of HOSTILE) {
    it(`${label}: ${JSON.stringify(value).slice(0, 60)} → /dashboard`, () => {
      expect(safeNextPath(value)).toBe(DEFAULT_AFTER_LOGIN);
    });
  }

  it("null and undefined fall back too", () => {
    expect(safeNextPath(null)).toBe(DEFAULT_AFTER_LOGIN);
    expect(safeNextPath(undefined)).toBe(DEFAULT_AFTER_LOGIN);
  });
});

describe("safeNextPath keeps ordinary same-origin paths", () => {
  for (const value of [
    "/dashboard",
    "/account/sessions",
    "/account/security?tab=2",
    "/dashboard#top",
    "/admin/users/42",
    "/@me",
    "/a/../dashboard",
  ]) {
    it(`keeps ${value}`, () => {
      const result = safeNextPath(value);
      expect(result.startsWith("/")).toBe(true);
      expect(result.startsWith("//")).toBe(false);
      expect(new URL(result, "https://app.example").origin).toBe("https://app.example");
    });
  }

  it("returns the path exactly for a plain one", () => {
    expect(safeNextPath("/account/sessions?x=1#y")).toBe("/account/sessions?x=1#y");
  });
});

describe("safeNextPath and a native app's authorization request (RFC 8252)", () => {
  const authorize =
    "/api/auth/authorize?response_type=code&client_id=example-native&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback" +
    `&code_challenge=${"c".repeat(43)}&code_challenge_method=S256&state=${"s".repeat(256)}&dpop_jkt=${"j".repeat(43)}`;

  it("comes back to /api/auth/authorize with its query exactly, even past the usual length", () => {
    expect(authorize.length).toBeGreaterThan(512);
    expect(safeNextPath(authorize)).toBe(authorize);
  });

  it("no other API path, nor one that only resolves to it or away from it", () => {
    for (const value of [
      "/api/auth/authorize/../logout",
      "/api/auth/authorize/x",
      "/api/auth/authorizex?y",
      "/api/auth/token?x",
      `/api/auth/authorize?${"a".repeat(2100)}`,
      `/api/auth/logout?${"a".repeat(600)}`,
      "//evil.example/api/auth/authorize?x",
    ])
      expect(safeNextPath(value), value.slice(0, 60)).toBe(DEFAULT_AFTER_LOGIN);
  });
});
