/**
 * Attacks on the proxy over real HTTP against the production server (e2e/servers.ts "main"):
 * forged access cookies and proxy-bypass tricks (CVE-2025-29927 and its successors) never show
 * protected content. The marker of protected content is the signed-in dashboard's user-email
 * element and the victim's email: every forged token carries the claims of a LIVE session, so
 * if any layer accepted it, the victim's email would be in the page.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync, sign as signWith } from "node:crypto";
import { expect, test } from "@playwright/test";
import {
  SIGNED_IN_MARKER,
  b64,
  claimsOf,
  decode,
  highSTwin,
  hs256,
  publicKeyForms,
  raw,
  register,
  sameOrigin,
  type Session,
} from "./attack-helpers";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";

let live: Session;

test.beforeAll(async () => {
  live = await register("proxy-victim");
});

/** GET /dashboard with this access cookie must end on the sign-in page, without the victim's data. */
async function expectDashboardRefused(token: string, label: string, headers: Record<string, string> = {}) {
  const res = await raw("/dashboard", { headers: { cookie: `${ACCESS_COOKIE}=${token}`, ...headers } });
  expect(res.status, label).toBeLessThan(500);
  expect(res.body, label).not.toContain(live.email);
  expect(res.body, label).not.toContain(SIGNED_IN_MARKER);
  expect([307, 308], `${label}: ${res.status}`).toContain(res.status);
  expect(new URL(String(res.headers.location), "http://x").pathname, label).toBe("/login");
}

async function expectMeRefused(token: string, label: string) {
  const res = await raw("/api/me", { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, label).toBe(401);
  expect(JSON.parse(res.body), label).toMatchObject({ error: "unauthenticated" });
}

test("(control) the live session's cookie shows the dashboard with the victim's email", async () => {
  const res = await raw("/dashboard", { headers: { cookie: `${ACCESS_COOKIE}=${live.access}` } });
  expect(res.status).toBe(200);
  expect(res.body).toContain(SIGNED_IN_MARKER);
  expect(res.body).toContain(live.email);
});

test.describe("forged access cookies at the proxy (and the same tokens as Bearer at /api/me)", () => {
  test("alg none in every casing, with empty, junk and copied signatures", async () => {
    const [, , realSig] = live.access.split(".");
    const kid = decode(live.access.split(".")[0]).kid;
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      for (const sig of ["", "AAAA", realSig]) {
        const token = `${b64({ alg, typ: "at+jwt", kid })}.${b64(claimsOf(live.access))}.${sig}`;
        await expectDashboardRefused(token, `${alg}/${sig.slice(0, 4)}`);
        await expectMeRefused(token, `${alg}/${sig.slice(0, 4)}`);
      }
    }
  });

  test("HS256 signed with the public key fetched from /.well-known/jwks.json (PEM, JWK, raw point)", async () => {
    const forms = await publicKeyForms();
    for (const [form, secret] of [
      ["pem", forms.pem],
      ["jwk", forms.jwk],
      ["raw", forms.raw],
    ] as const) {
      const token = hs256({ alg: "HS256", typ: "at+jwt", kid: forms.kid }, claimsOf(live.access), secret);
      await expectDashboardRefused(token, form);
      await expectMeRefused(token, form);
    }
  });

  test("ES256 all-zero signature (CVE-2022-21449) and r = s = n", async () => {
    const [h, p] = live.access.split(".");
    const n = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
    for (const [label, sig] of [
      ["r=s=0", Buffer.alloc(64)],
      ["r=s=n", Buffer.concat([n, n])],
    ] as const) {
      await expectDashboardRefused(`${h}.${p}.${sig.toString("base64url")}`, label);
      await expectMeRefused(`${h}.${p}.${sig.toString("base64url")}`, label);
    }
  });

  test("a real token with a tampered payload (role admin, another sub) keeps its signature and is refused", async () => {
    const [h, , s] = live.access.split(".");
    for (const patch of [{ role: "admin" }, { sub: "someone-else" }, { exp: Math.floor(Date.now() / 1000) + 86400 }]) {
      const token = `${h}.${b64({ ...decode(live.access.split(".")[1]), ...patch })}.${s}`;
      await expectDashboardRefused(token, JSON.stringify(patch));
      await expectMeRefused(token, JSON.stringify(patch));
    }
  });

  test("embedded jwk, jku, x5u and kid injection, signed with the attacker's own key; no key is ever fetched", async () => {
    let hits = 0;
    const keyServer: Server = createServer((_req, res) => {
      hits++;
      res.end("{}");
    });
    await new Promise<void>((resolve) => keyServer.listen(0, "127.0.0.1", resolve));
    const keyUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
    try {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = publicKey.export({ format: "jwk" });
      const kid = decode(live.access.split(".")[0]).kid;
      const attackerSigned = (header: Record<string, unknown>) => {
        const input = `${b64({ alg: "ES256", typ: "at+jwt", ...header })}.${b64(claimsOf(live.access))}`;
        return `${input}.${signWith("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
      };
      for (const header of [
        { jwk },
        { kid, jwk },
        { kid, jku: `${keyUrl}/jwks.json` },
        { kid: "attacker", jku: `${keyUrl}/jwks.json` },
        { kid, x5u: `${keyUrl}/cert.pem` },
        { kid: "../../../../etc/passwd" },
        { kid: "/dev/null" },
        { kid: "' OR 1=1 --" },
        { kid: "x".repeat(1500) },
      ]) {
        const label = JSON.stringify(header).slice(0, 60);
        await expectDashboardRefused(attackerSigned(header), label);
        await expectMeRefused(attackerSigned(header), label);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(hits).toBe(0);
    } finally {
      keyServer.close();
    }
  });

  test("typ confusion: the refresh token as the access cookie; the access token as the refresh cookie", async () => {
    await expectDashboardRefused(live.refresh, "refresh as access");
    await expectMeRefused(live.refresh, "refresh as bearer");
    const res = await raw("/api/auth/refresh", {
      method: "POST",
      headers: { ...sameOrigin, cookie: `${REFRESH_COOKIE}=${live.access}` },
    });
    expect(res.status).toBe(401);
    expect(res.setCookies.filter((c) => c.value !== "")).toEqual([]);
  });

  test("an 8 KB token, a 10 KB kid and extra segments: refused, never a 5xx", async () => {
    const [h, p, s] = live.access.split(".");
    for (const [label, token] of [
      ["8 KB", `${h}.${b64({ ...claimsOf(live.access), pad: "x".repeat(8 * 1024) })}.${s}`],
      ["10 KB kid", `${b64({ alg: "ES256", typ: "at+jwt", kid: "k".repeat(10 * 1024) })}.${p}.${s}`],
      ["4 segments", `${live.access}.${s}`],
      ["5 segments", `${h}.${p}.${s}.${s}.${s}`],
      ["empty signature", `${h}.${p}.`],
    ]) {
      await expectDashboardRefused(token, label);
      await expectMeRefused(token, label);
    }
  });
});

test.describe("revocation the proxy cannot see: the page's full check refuses it", () => {
  test("after logout, the revoked access cookie and its high-S twin are refused by the dashboard and /api/me", async () => {
    const session = await register("twin");
    const twin = highSTwin(session.access);
    expect(twin).not.toBe(session.access);
    // The twin is a valid signature: before logout it is accepted like the original.
    expect((await raw("/api/me", { headers: { authorization: `Bearer ${twin}` } })).status).toBe(200);
    const logout = await raw("/api/auth/logout", {
      method: "POST",
      headers: { ...sameOrigin, cookie: session.cookie },
    });
    expect(logout.status).toBe(200);
    for (const [label, token] of [
      ["revoked", session.access],
      ["revoked twin", twin],
    ]) {
      const res = await raw("/dashboard", { headers: { cookie: `${ACCESS_COOKIE}=${token}` } });
      expect(res.body, label).not.toContain(session.email);
      expect(res.body, label).not.toContain(SIGNED_IN_MARKER);
      expect((await raw("/api/me", { headers: { authorization: `Bearer ${token}` } })).status, label).toBe(401);
    }
  });
});

test.describe("proxy bypass attempts never show protected content (CVE-2025-29927 and successors)", () => {
  const PATHS = [
    "/dashboard",
    "/dashboard/",
    "//dashboard",
    "/DASHBOARD",
    "/%64ashboard",
    "/%64%61%73%68%62%6F%61%72%64",
    "/dashboard.rsc",
    "/dashboard?_rsc=1",
    "/dashboard.txt",
    "/./dashboard",
    "/x/../dashboard",
    "/dashboard%2F",
    "/account/sessions",
    "/account/security",
    "/admin",
  ];
  const HEADERS: Record<string, string>[] = [
    {},
    { "x-middleware-subrequest": "middleware" },
    { "x-middleware-subrequest": "src/middleware" },
    { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
    { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
    { "x-middleware-subrequest": "src/proxy:src/proxy:src/proxy:src/proxy:src/proxy" },
    { RSC: "1" },
    { RSC: "1", "Next-Router-Prefetch": "1" },
    { RSC: "1", "Next-Router-Segment-Prefetch": "/_tree" },
    { "x-nextjs-data": "1" },
    { "x-middleware-prefetch": "1" },
  ];

  for (const [who, cookie] of [
    ["signed out", undefined],
    ["with a forged alg-none cookie", "forged"],
    ["with a revoked cookie", "revoked"],
  ] as const) {
    test(`${who}: ${PATHS.length} paths x ${HEADERS.length} header sets`, async () => {
      let cookieHeader: Record<string, string> = {};
      if (cookie === "forged") {
        cookieHeader = {
          cookie: `${ACCESS_COOKIE}=${b64({ alg: "none", typ: "at+jwt" })}.${b64(claimsOf(live.access))}.`,
        };
      } else if (cookie === "revoked") {
        const s = await register("bypass-revoked");
        await raw("/api/auth/logout", { method: "POST", headers: { ...sameOrigin, cookie: s.cookie } });
        cookieHeader = { cookie: `${ACCESS_COOKIE}=${s.access}` };
      }
      for (const path of PATHS) {
        for (const headers of HEADERS) {
          const res = await raw(path, { headers: { ...headers, ...cookieHeader } });
          const label = `${path} ${JSON.stringify(headers)} → ${res.status}`;
          expect(res.status, label).toBeLessThan(500);
          expect(res.body, label).not.toContain(SIGNED_IN_MARKER);
          expect(res.body, label).not.toContain(live.email);
          expect(res.body, label).not.toMatch(/Signed in as/);
        }
      }
    });
  }
});
