/**
 * Odd requests against the production server never get a 5xx, and always get the security
 * headers (issue 8, item 4): every method (TRACE, TRACK, CONNECT, FOO, OPTIONS ...) on pages, API
 * routes, static files and 404s; undecodable and NUL paths; request-targets that are not paths.
 * Before the fix Next answered TRACE with a 500 and a stack trace in the log, any non-GET on a
 * static file with a 500, and a signed-in GET or DELETE /api/auth/sessions/%ZZ with a 500.
 * Requests go over a raw socket: node's client cannot send CONNECT as such, nor fetch TRACE.
 */
import net from "node:net";
import { expect, test } from "@playwright/test";
import { MAIN, raw, register } from "./attack-helpers";

const { hostname, port } = new URL(MAIN);

type Answer = { status: number; headers: Record<string, string>; body: string };

/** One request written byte for byte; the answer read until the server closes. */
function send(method: string, target: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer to ${method} ${target}`)));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const at = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.slice(0, at).split("\r\n");
      const parsed: Record<string, string> = {};
      for (const l of lines) parsed[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      let body = text.slice(at + 4);
      if (/chunked/i.test(parsed["transfer-encoding"] ?? "")) body = dechunk(body);
      resolve({ status: Number(statusLine?.split(" ")[1] ?? 0), headers: parsed, body });
    });
    const head = { Host: `${hostname}:${port}`, ...headers, Connection: "close" };
    socket.write(
      `${method} ${target} HTTP/1.1\r\n${Object.entries(head)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\r\n")}\r\n\r\n`,
    );
  });
}

function dechunk(body: string) {
  let out = "";
  for (let rest = body; ;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

function expectSafeAnswer(res: Answer, label: string) {
  expect(res.status, label).toBeGreaterThanOrEqual(200);
  expect(res.status, label).toBeLessThan(500);
  const csp = res.headers["content-security-policy"] ?? "";
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(/script-src ([^;]*)/.exec(csp)?.[1] ?? "", label).not.toContain("'unsafe-inline'");
  expect(res.headers["x-content-type-options"], label).toBe("nosniff");
  expect(res.headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
  expect(res.headers["permissions-policy"], label).toContain("camera=()");
  expect(res.headers["strict-transport-security"], label).toMatch(/max-age=\d+/);
  expect(res.body, label).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
}

const METHODS = [
  "GET",
  "HEAD",
  "OPTIONS",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "TRACE",
  "TRACK",
  "CONNECT",
  "FOO",
  "PROPFIND",
];

test("every method on a page, a protected page, API routes, static files, a route file and 404s: never a 5xx, always the security headers", async () => {
  const chunk = /\/_next\/static\/[^"']+\.js/.exec((await raw("/login")).body)?.[0];
  expect(chunk, "a static chunk referenced by the login page").toBeTruthy();
  const paths = [
    "/login",
    "/dashboard",
    "/api/me",
    "/api/auth/login",
    "/.well-known/jwks.json",
    chunk!,
    "/robots.txt",
    "/icon.svg",
    "/no-such-page",
    "/api/no-such-route",
  ];
  for (const path of paths) {
    for (const method of METHODS) {
      const res = await send(method, path, { Origin: MAIN });
      expectSafeAnswer(res, `${method} ${path} → ${res.status}`);
      if (["TRACE", "TRACK", "CONNECT", "FOO", "PROPFIND"].includes(method)) {
        expect([400, 405], `${method} ${path}`).toContain(res.status);
        if (res.status === 405) expect(res.headers.allow, `${method} ${path}`).toMatch(/^GET, HEAD/);
      }
    }
  }
  // The API answers in its own JSON shape.
  const trace = await send("TRACE", "/api/me");
  expect(trace.status).toBe(405);
  expect(JSON.parse(trace.body)).toEqual({ error: "method_not_allowed", message: expect.any(String) });
  // Static files: GET and HEAD only.
  for (const path of [chunk!, "/robots.txt"]) {
    const post = await send("POST", path);
    expect(post.status, path).toBe(405);
    expect(post.headers.allow, path).toBe("GET, HEAD");
  }
});

const MALFORMED = [
  "/%ZZ",
  "/dashboard/%E0%A4%A",
  "/api/auth/sessions/%ZZ",
  "/api/auth/sessions/%C0%AF",
  "/_next/static/%ZZ",
  "/_next/static/chunks/%00.js",
  "/%00",
  "/login%00",
  "/api/me%00",
  "/robots.txt%ZZ",
  "/favicon.ico%ZZ",
  "/%",
  "//%ZZ",
  "/%ZZ/../login",
];

test("undecodable and NUL paths, on pages, API routes and static files: a 400 (JSON on the API), never a 5xx", async () => {
  for (const path of MALFORMED) {
    for (const method of ["GET", "HEAD", "POST", "DELETE", "OPTIONS", "TRACE"]) {
      const res = await send(method, path, { Origin: MAIN });
      const label = `${method} ${path} → ${res.status}`;
      expectSafeAnswer(res, label);
      expect(res.status, label).toBe(400);
      if (method !== "HEAD" && path.startsWith("/api/"))
        expect(JSON.parse(res.body), label).toEqual({ error: "invalid_path", message: expect.any(String) });
    }
  }
});

test("request-targets that are not paths (`OPTIONS *`, absolute-form) are a 400, not a 500 or a redirect elsewhere", async () => {
  for (const [method, target] of [
    ["OPTIONS", "*"],
    ["GET", "http://evil.example/dashboard"],
    ["GET", `${MAIN}/login`],
  ]) {
    const res = await send(method, target);
    expectSafeAnswer(res, `${method} ${target}`);
    expect(res.status, `${method} ${target}`).toBe(400);
    expect(res.headers.location, `${method} ${target}`).toBeUndefined();
  }
});

test("signed in, GET and DELETE /api/auth/sessions/%ZZ are a 4xx and end no session", async () => {
  const user = await register("odd-path");
  for (const method of ["GET", "DELETE"]) {
    const res = await send(method, "/api/auth/sessions/%ZZ", { Origin: MAIN, Cookie: user.cookie });
    expectSafeAnswer(res, method);
    expect(res.status, method).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_path" });
  }
  expect((await raw("/api/me", { headers: { cookie: user.cookie } })).status).toBe(200);
});
