/**
 * Server logs (ASVS 5.0 V16.2, V16.4 / V7 no tokens in logs): structured JSON from pino, with
 * tokens, cookies, passwords and keys removed by the logger's redact configuration (lib/log.ts),
 * whatever a call site passes, at the top level and nested.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/shared/log";

function capture(level = "trace") {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger(level, sink), lines, json: () => lines.map((l) => JSON.parse(l)) };
}

const SECRETS = {
  password: "hunter2-password",
  currentPassword: "current-pw-secret",
  newPassword: "new-pw-secret",
  passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
  token: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
  accessToken: "eyJ.access.token",
  refreshToken: "r".repeat(43),
  cookie: "__Host-access=eyJ.cookie.value; __Secure-refresh=refresh-cookie-value",
  authorization: "Bearer eyJ.bearer.value",
  "set-cookie": "__Secure-refresh=set-cookie-value; Path=/api/auth",
  d: "private-jwk-d-member",
  "x-auth-socket-ip": "stamp-secret 198.51.100.1",
};

describe("pino redaction by configuration", () => {
  it("every secret field is censored at the top level, one, two and three levels down", () => {
    const { log, lines } = capture();
    for (const [name, value] of Object.entries(SECRETS)) {
      log.info({ [name]: value }, "top");
      log.info({ req: { [name]: value } }, "one");
      log.info({ req: { headers: { [name]: value } } }, "two");
      log.info({ ctx: { req: { headers: { [name]: value } } } }, "three");
    }
    const text = lines.join("");
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    expect(text.match(/\[redacted\]/g)?.length).toBe(Object.keys(SECRETS).length * 4);
  });

  it("request-shaped objects: cookie and authorization headers, Set-Cookie arrays, bodies with passwords", () => {
    const { log, json } = capture();
    log.warn(
      {
        req: {
          method: "POST",
          url: "/api/auth/login",
          headers: { cookie: SECRETS.cookie, authorization: SECRETS.authorization, "user-agent": "ua" },
        },
        res: { headers: { "set-cookie": [SECRETS["set-cookie"]] } },
        body: { email: "a@example.com", password: SECRETS.password },
        jwk: { kty: "EC", d: SECRETS.d, x: "public-x" },
      },
      "request",
    );
    const [entry] = json();
    expect(entry.req.headers).toEqual({ cookie: "[redacted]", authorization: "[redacted]", "user-agent": "ua" });
    expect(entry.res.headers["set-cookie"]).toBe("[redacted]");
    expect(entry.body).toEqual({ email: "a@example.com", password: "[redacted]" });
    expect(entry.jwk).toEqual({ kty: "EC", d: "[redacted]", x: "public-x" });
  });

  it("is structured JSON with level, time and message (a maintained logger, not console)", () => {
    const { log, json } = capture();
    log.error({ event: "refresh_reuse_detected", userId: "u1", familyId: "f1" }, "security event");
    const [entry] = json();
    expect(entry).toMatchObject({
      level: 50,
      app: "Auth Starter",
      event: "refresh_reuse_detected",
      userId: "u1",
      familyId: "f1",
      msg: "security event",
    });
    expect(typeof entry.time).toBe("number");
  });

  it("non-secret identifiers stay readable (user, family, ip, path)", () => {
    const { log, json } = capture();
    log.info({ userId: "u1", familyId: "f1", ip: "203.0.113.7", path: "/api/auth/refresh" }, "x");
    expect(json()[0]).toMatchObject({ userId: "u1", familyId: "f1", ip: "203.0.113.7", path: "/api/auth/refresh" });
  });
});
