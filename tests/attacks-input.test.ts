/**
 * Hostile request bodies and methods (ASVS 5.0 V3.3, V6, V10.4): JSON only, a few KB at most
 * (streamed, so a chunked or lying body is cut off, never buffered whole), strict schemas that
 * refuse unknown keys, and 405 for the wrong method. Every answer is a 4xx with the usual
 * `{ error, message }`, never a 5xx, and nothing in the database changes.
 */
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "@/lib/server/http";
import { APP, CookieJar, call, configureTestEnv, databaseSnapshot as snapshot, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;

beforeAll(async () => {
  await configureTestEnv();
  r = await loadRoutes();
});

let n = 0;
async function victim() {
  const jar = new CookieJar();
  const email = `input-${++n}@example.com`;
  expect(
    (await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" }, jar })).status,
  ).toBe(201);
  return { jar, email };
}

function expectClean4xx(res: Awaited<ReturnType<typeof call>>, status: number, label: string) {
  expect(res.status, label).toBe(status);
  // The error shape: a code, a message, and for a body that fails its schema the fields at fault.
  const { fields, ...rest } = res.json;
  expect(rest, label).toEqual({ error: expect.any(String), message: expect.any(String) });
  if (fields !== undefined)
    expect(
      Object.values(fields).every((m) => typeof m === "string"),
      label,
    ).toBe(true);
  expect(res.headers.get("cache-control"), label).toBe("no-store");
  expect(
    res.setCookies.filter((c) => c.value !== ""),
    label,
  ).toEqual([]);
}

describe("content types: JSON or nothing (text/plain and form posts are what a page elsewhere can send without a preflight)", () => {
  const NOT_JSON = [
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----x",
    "application/xml",
    "application/json-patch+json",
    "application/jsonx",
    "text/json",
    "",
  ];

  it(`login and register refuse ${NOT_JSON.length} non-JSON content types (and a missing one) with 415, even with a JSON body`, async () => {
    const { email } = await victim();
    const before = await snapshot();
    for (const type of [...NOT_JSON, null]) {
      for (const [handler, path, body] of [
        [r.login.POST, "/api/auth/login", { email, password: "password-123" }],
        [
          r.register.POST,
          "/api/auth/register",
          { email: `new-${Math.random()}@example.com`, password: "password-123" },
        ],
      ] as const) {
        const headers: Record<string, string> = type === null ? {} : { "content-type": type };
        const req = new NextRequest(new URL(path, APP), {
          method: "POST",
          headers: { origin: APP, "x-auth-socket-ip": "198.51.100.10", ...headers },
          body: type?.startsWith("application/x-www-form-urlencoded")
            ? `email=${encodeURIComponent(email)}&password=password-123`
            : JSON.stringify(body),
        });
        if (type === null) req.headers.delete("content-type");
        const res = await handler(req, { params: Promise.resolve({}) });
        expect(res.status, `${path} ${type}`).toBe(415);
        expect(await res.json()).toEqual({ error: "unsupported_media_type", message: expect.any(String) });
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it("routes without a body (logout, logout-all, refresh, password, DELETE session) refuse form and text posts too", async () => {
    const v = await victim();
    const sid = (await call(r.sessions.GET, "/api/auth/sessions", { jar: v.jar })).json.sessions[0].id;
    const before = await snapshot();
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      for (const [handler, path, method, params] of [
        [r.logout.POST, "/api/auth/logout", "POST", {}],
        [r.logoutAll.POST, "/api/auth/logout-all", "POST", {}],
        [r.refresh.POST, "/api/auth/refresh", "POST", {}],
        [r.password.POST, "/api/auth/password", "POST", {}],
        [r.sessionById.DELETE, `/api/auth/sessions/${sid}`, "DELETE", { id: sid }],
      ] as const) {
        const res = await call(handler, path, {
          method,
          jar: v.jar,
          rawBody: "a=1",
          headers: { "content-type": type },
          params,
        });
        expectClean4xx(res, 415, `${path} ${type}`);
      }
    }
    expect(await snapshot()).toBe(before);
    expect((await call(r.me.GET, "/api/me", { jar: v.jar })).status).toBe(200);
  });

  it("(control) application/json with a charset parameter is accepted", async () => {
    const { email } = await victim();
    const res = await call(r.login.POST, "/api/auth/login", {
      body: { email, password: "password-123" },
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(res.status).toBe(200);
  });
});

describe("body size: a few KB, enforced while streaming", () => {
  it(`a ${MAX_BODY_BYTES + 1}-byte body with an honest Content-Length is a 413 before it is read`, async () => {
    const body = JSON.stringify({ email: "a@example.com", password: "p".repeat(MAX_BODY_BYTES) });
    for (const [handler, path] of [
      [r.login.POST, "/api/auth/login"],
      [r.register.POST, "/api/auth/register"],
    ] as const) {
      const res = await call(handler, path, {
        rawBody: body,
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      });
      expectClean4xx(res, 413, path);
    }
  });

  it("a chunked 1 MB body with no Content-Length is cut off at the limit: only a few KB are ever pulled from the stream", async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode("a".repeat(1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const req = new NextRequest(new URL("/api/auth/login", APP), {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json", "x-auth-socket-ip": "198.51.100.10" },
      body: stream,
      duplex: "half",
    } as never);
    const res = await r.login.POST(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(MAX_BODY_BYTES + 4 * 1024 * 4);
  });

  it("a body larger than its declared Content-Length is still cut off at the limit", async () => {
    const big = JSON.stringify({ email: "a@example.com", password: "p".repeat(64 * 1024) });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const req = new NextRequest(new URL("/api/auth/login", APP), {
      method: "POST",
      headers: {
        origin: APP,
        "content-type": "application/json",
        "content-length": "20",
        "x-auth-socket-ip": "198.51.100.10",
      },
      body: stream,
      duplex: "half",
    } as never);
    const res = await r.login.POST(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
  });

  it("(control) a body just under the limit is parsed (and then judged by the schema)", async () => {
    const body = JSON.stringify({ email: "a@example.com", password: "p".repeat(MAX_BODY_BYTES - 100) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const res = await call(r.login.POST, "/api/auth/login", {
      rawBody: body,
      headers: { "content-type": "application/json" },
    });
    expectClean4xx(res, 400, "password too long for the schema");
  });
});

describe("malformed JSON and strict schemas", () => {
  const MALFORMED: [string, string][] = [
    ["empty body", ""],
    ["not JSON", "{nope"],
    ["truncated", '{"email":"a@example.com","password":"passw'],
    ["JSON null", "null"],
    ["JSON string", '"email"'],
    ["JSON number", "42"],
    ["JSON array", '[{"email":"a@example.com","password":"password-123"}]'],
    ["trailing garbage", '{"email":"a@example.com","password":"password-123"} x'],
    ["single quotes", "{'email':'a@example.com','password':'password-123'}"],
    ["NaN", '{"email":"a@example.com","password":NaN}'],
    ["deep nesting", `${"[".repeat(1500)}${"]".repeat(1500)}`],
  ];

  it(`${MALFORMED.length} malformed bodies → 400 on login and register, never 5xx`, async () => {
    const before = await snapshot();
    for (const [label, raw] of MALFORMED) {
      for (const [handler, path] of [
        [r.login.POST, "/api/auth/login"],
        [r.register.POST, "/api/auth/register"],
      ] as const) {
        expectClean4xx(
          await call(handler, path, { method: "POST", rawBody: raw, headers: { "content-type": "application/json" } }),
          400,
          `${path} ${label}`,
        );
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it("invalid UTF-8 in the body → 400", async () => {
    const req = new NextRequest(new URL("/api/auth/login", APP), {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json", "x-auth-socket-ip": "198.51.100.10" },
      body: Buffer.from([0x7b, 0x22, 0x65, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    const res = await r.login.POST(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(400);
  });

  const SMUGGLED: [string, Record<string, unknown> | string][] = [
    ["role", { role: "admin" }],
    ["isAdmin", { isAdmin: true }],
    ["id", { id: "chosen-id" }],
    ["tokenVersion", { tokenVersion: -1 }],
    ["__proto__ (prototype pollution)", '"__proto__":{"role":"admin"}'],
    ["constructor.prototype", '"constructor":{"prototype":{"role":"admin"}}'],
  ];

  it(`register refuses ${SMUGGLED.length} smuggled keys (strict schema), creating nothing and polluting nothing`, async () => {
    const before = await snapshot();
    for (const [label, extra] of SMUGGLED) {
      const base = `"email":"smuggle-${label.length}@example.com","password":"password-123"`;
      const raw =
        typeof extra === "string" ? `{${base},${extra}}` : JSON.stringify({ ...JSON.parse(`{${base}}`), ...extra });
      expectClean4xx(
        await call(r.register.POST, "/api/auth/register", {
          rawBody: raw,
          headers: { "content-type": "application/json" },
        }),
        400,
        label,
      );
    }
    expect(await snapshot()).toBe(before);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it("login and password change refuse unknown keys too", async () => {
    const v = await victim();
    expectClean4xx(
      await call(r.login.POST, "/api/auth/login", {
        body: { email: v.email, password: "password-123", remember: true },
      }),
      400,
      "login",
    );
    expectClean4xx(
      await call(r.password.POST, "/api/auth/password", {
        body: { currentPassword: "password-123", newPassword: "new-password-1", userId: "x" },
        jar: v.jar,
      }),
      400,
      "password",
    );
  });

  const WRONG_TYPES: [string, Record<string, unknown>][] = [
    ["email as array", { email: ["a@example.com", "b@example.com"], password: "password-123" }],
    ["email as object", { email: { $ne: null }, password: "password-123" }],
    ["email as number", { email: 42, password: "password-123" }],
    ["email null", { email: null, password: "password-123" }],
    ["password as object", { email: "a@example.com", password: { $gt: "" } }],
    ["password as number", { email: "a@example.com", password: 12345678 }],
    ["password as array", { email: "a@example.com", password: ["password-123"] }],
    ["password as boolean", { email: "a@example.com", password: true }],
    ["email too long", { email: `${"a".repeat(250)}@example.com`, password: "password-123" }],
    ["email with CRLF", { email: "a@example.com\r\nBcc: x@example.com", password: "password-123" }],
    ["password over the maximum", { email: "a@example.com", password: "p".repeat(257) }],
    ["missing password", { email: "a@example.com" }],
    ["missing email", { password: "password-123" }],
  ];

  it(`${WRONG_TYPES.length} wrong types and lengths (NoSQL-style operators included) → 400 on login`, async () => {
    for (const [label, body] of WRONG_TYPES) {
      expectClean4xx(await call(r.login.POST, "/api/auth/login", { body }), 400, label);
    }
  });
});

describe("display names and password reuse", () => {
  const SPOOFING_NAMES = [
    "admin\u202Egnp.exe", // right-to-left override
    "Ali\u2066ce\u2069", // isolates
    "Bob\u200F", // right-to-left mark
    "line\nbreak",
    "bell\u0007",
    "nul\u0000",
    "c1\u0085control",
    "sep\u2028arator",
  ];

  it(`register refuses ${SPOOFING_NAMES.length} names with control or bidi-override characters, creating nothing`, async () => {
    for (const name of SPOOFING_NAMES) {
      const before = await snapshot();
      const res = await call(r.register.POST, "/api/auth/register", {
        body: { email: `name-${++n}@example.com`, password: "password-123", name },
      });
      expectClean4xx(res, 400, JSON.stringify(name));
      expect(await snapshot(), JSON.stringify(name)).toBe(before);
    }
  });

  it("(control) ordinary names in any script, emoji sequences included, are accepted", async () => {
    for (const name of ["Zoë Ørsted", "محمد", "李小龍", "👩‍👩‍👧 family", "O'Brien-Smith"]) {
      const res = await call(r.register.POST, "/api/auth/register", {
        body: { email: `name-${++n}@example.com`, password: "password-123", name },
      });
      expect(res.status, name).toBe(201);
      expect(res.json.user.name).toBe(name);
    }
  });

  it("a password change to the same password is a 400 same_password and changes nothing", async () => {
    const { jar } = await victim();
    const before = await snapshot();
    const res = await call(r.password.POST, "/api/auth/password", {
      body: { currentPassword: "password-123", newPassword: "password-123" },
      jar,
    });
    expectClean4xx(res, 400, "same password");
    expect(res.json.error).toBe("same_password");
    expect(await snapshot()).toBe(before);
  });
});

describe("methods", () => {
  it("GET on every state-changing route is a 405 with Allow and the usual JSON (HEAD is checked over real HTTP in e2e)", async () => {
    for (const [handler, path, allow] of [
      [r.register.GET, "/api/auth/register", "POST"],
      [r.login.GET, "/api/auth/login", "POST"],
      [r.refresh.GET, "/api/auth/refresh", "POST"],
      [r.logout.GET, "/api/auth/logout", "POST"],
      [r.logoutAll.GET, "/api/auth/logout-all", "POST"],
      [r.password.GET, "/api/auth/password", "POST"],
      [r.sessionById.GET, "/api/auth/sessions/x", "DELETE"],
    ] as const) {
      const res = await call(handler as never, path, { method: "GET" });
      expect(res.status, path).toBe(405);
      expect(res.headers.get("allow"), path).toBe(allow);
      expect(res.json, path).toEqual({ error: "method_not_allowed", message: expect.any(String) });
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });
});

describe("cookie values the server never issued", () => {
  it("garbage, oversized and injected refresh cookies: 401, no 5xx, nothing rotated", async () => {
    const v = await victim();
    const before = await snapshot();
    for (const value of [
      "x",
      "A".repeat(42),
      "A".repeat(44),
      "A".repeat(4000),
      "' OR 1=1 --",
      "%00",
      "a.b.c",
      `${v.jar.get("__Secure-refresh")}x`,
    ]) {
      const res = await call(r.refresh.POST, "/api/auth/refresh", {
        method: "POST",
        headers: { cookie: `__Secure-refresh=${value}` },
      });
      expect(res.status, value.slice(0, 10)).toBe(401);
    }
    expect(await snapshot()).toBe(before);
  });
});
