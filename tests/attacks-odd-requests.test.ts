/**
 * Odd requests never get a 5xx (issue 8, item 4; SECURITY.md): methods outside the usual set,
 * undecodable or control-character paths, request-targets that are not paths, and non-GET on static
 * files are answered before Next (which fails on them with a 500) by the server hook, with the
 * security headers. Here on a real http.Server whose handler stands in for Next and always fails;
 * against the production build in e2e/attacks-odd-requests.spec.ts.
 */
import http from "node:http";
import net from "node:net";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refuseOddRequest } from "@/lib/security/odd-requests";
import { installRequestGuard } from "@/lib/server/request-guard";
import { APP, CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let server: http.Server;
let port = 0;
let reachedNext = 0;

beforeAll(async () => {
  await configureTestEnv();
  installRequestGuard({ production: true, publicDir: `${process.cwd()}/public` });
  server = http.createServer((_req, res) => {
    reachedNext++;
    res.writeHead(500).end("Internal Server Error");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

type Answer = { status: number; headers: Record<string, string>; body: string };

/** One request written byte for byte on a socket (node's client cannot send CONNECT or a bad request line as such). */
function send(requestLine: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      const [statusLine, ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.write(`${requestLine}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}

function expectSecurityHeaders(res: Answer, label: string) {
  expect(res.headers["content-security-policy"], label).toContain("frame-ancestors 'none'");
  expect(res.headers["x-content-type-options"], label).toBe("nosniff");
  expect(res.headers["x-frame-options"], label).toBe("DENY");
  expect(res.headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
  expect(res.headers["permissions-policy"], label).toContain("camera=()");
  expect(res.headers["strict-transport-security"], label).toMatch(/max-age=\d+/);
  expect(res.headers["cache-control"], label).toBe("no-store");
}

describe("the server hook answers before Next", () => {
  it("(control) an ordinary request reaches the handler", async () => {
    const before = reachedNext;
    expect((await send("GET /login HTTP/1.1")).status).toBe(500);
    expect(reachedNext).toBe(before + 1);
  });

  it("TRACE, PROPFIND and other methods Next cannot route: 405 with Allow, JSON on API paths", async () => {
    const before = reachedNext;
    for (const method of ["TRACE", "PROPFIND", "MKCOL", "SEARCH", "PURGE", "M-SEARCH"]) {
      for (const path of ["/", "/login", "/dashboard", "/api/me", "/api/auth/login", "/no-such-page"]) {
        const res = await send(`${method} ${path} HTTP/1.1`);
        const label = `${method} ${path}`;
        expect(res.status, label).toBe(405);
        expect(res.headers.allow, label).toMatch(/^GET, HEAD/);
        expectSecurityHeaders(res, label);
        if (path.startsWith("/api/"))
          expect(JSON.parse(res.body), label).toEqual({ error: "method_not_allowed", message: expect.any(String) });
        else expect(res.headers["content-type"], label).toMatch(/^text\/plain/);
      }
    }
    expect(reachedNext).toBe(before);
  });

  it("TRACK, FOO, a lower-case method and a bad HTTP version (Node's parser refuses them): 400 with the headers", async () => {
    for (const line of [
      "TRACK / HTTP/1.1",
      "FOO /api/me HTTP/1.1",
      "get / HTTP/1.1",
      "GET / HTTP/9.9",
      "GET /a b HTTP/1.1",
    ]) {
      const res = await send(line);
      expect(res.status, line).toBe(400);
      expectSecurityHeaders(res, line);
    }
  });

  it("CONNECT: 405 with Allow and the headers, not a dropped connection", async () => {
    const res = await send(`CONNECT 127.0.0.1:${port} HTTP/1.1`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD");
    expectSecurityHeaders(res, "CONNECT");
  });

  it("undecodable and control-character paths, and targets that are not paths: 400", async () => {
    const before = reachedNext;
    for (const path of [
      "/%ZZ",
      "/dashboard/%E0%A4%A",
      "/api/auth/sessions/%ZZ",
      "/api/auth/sessions/%C0%AF",
      "/_next/static/%ZZ",
      "/%00",
      "/login%00",
      "/api/me%0A",
      "/%",
      "//%ZZ",
      "/%ZZ/../login",
      "*",
      "http://evil.example/dashboard",
    ]) {
      for (const method of ["GET", "DELETE", "OPTIONS"]) {
        const res = await send(`${method} ${path} HTTP/1.1`);
        const label = `${method} ${path}`;
        expect(res.status, label).toBe(400);
        expectSecurityHeaders(res, label);
        if (path.startsWith("/api/"))
          expect(JSON.parse(res.body), label).toEqual({ error: "invalid_path", message: expect.any(String) });
      }
    }
    expect(reachedNext).toBe(before);
  });

  it("static files take GET and HEAD only: 405 with Allow: GET, HEAD", async () => {
    for (const path of ["/robots.txt", "/_next/static/chunks/app.js", "/_next/image?url=%2Ficon.svg&w=64&q=75"]) {
      for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "TRACE"]) {
        const res = await send(`${method} ${path} HTTP/1.1`);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow).toBe("GET, HEAD");
        expectSecurityHeaders(res, `${method} ${path}`);
      }
    }
  });
});

describe("refuseOddRequest", () => {
  it("lets ordinary requests through, encoded ones included", () => {
    for (const [method, target] of [
      ["GET", "/"],
      ["POST", "/api/auth/login"],
      ["DELETE", "/api/auth/sessions/0b7c0d2e-4f1c-4b7a-9d3e-1f2a3b4c5d6e"],
      ["GET", "/%64ashboard"],
      ["GET", "/login?next=%ZZ"],
      ["OPTIONS", "/api/me"],
      ["PUT", "/api/me"],
    ]) {
      expect(refuseOddRequest(method, target), `${method} ${target}`).toBeNull();
    }
  });
});

describe("proxy.ts refuses them too (a server without the hook)", () => {
  it("a signed-in request for an undecodable path is a 400 JSON with the security headers, not a pass to Next", async () => {
    const r = await loadRoutes();
    const jar = new CookieJar();
    expect(
      (
        await call(r.register.POST, "/api/auth/register", {
          body: { email: "odd@example.com", password: "password-123" },
          jar,
        })
      ).status,
    ).toBe(201);
    const { proxy } = await import("@/proxy");
    for (const method of ["GET", "DELETE"]) {
      const res = await proxy(
        new NextRequest(`${APP}/api/auth/sessions/%ZZ`, {
          method,
          headers: { cookie: jar.headerFor("/api/auth/sessions/x") },
        }),
      );
      expect(res.status, method).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid_path", message: expect.any(String) });
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const propfind = await proxy(new NextRequest(`${APP}/api/me`, { method: "PROPFIND" }));
    expect(propfind.status).toBe(405);
    expect(propfind.headers.get("allow")).toMatch(/^GET, HEAD/);
  });
});
