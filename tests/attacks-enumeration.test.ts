/**
 * Account enumeration through sign-in (ASVS 5.0 V6.3.8): an unknown email and a wrong password
 * get the same status, body and headers, and take the same time (the unknown email pays for a
 * dummy argon2 verify). Timing is measured through the real route handler, interleaved and by
 * median so the noise of a busy machine cancels; without the dummy verify the unknown email
 * answers in about a millisecond against tens for a real verify, far outside the 30% allowed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
const EMAIL = "exists@example.com";

beforeAll(async () => {
  await configureTestEnv({ AUTH_RATE_LIMIT: "off" });
  r = await loadRoutes();
  expect(
    (await call(r.register.POST, "/api/auth/register", { body: { email: EMAIL, password: "the-real-password" } }))
      .status,
  ).toBe(201);
});

const wrongPassword = () =>
  call(r.login.POST, "/api/auth/login", { body: { email: EMAIL, password: "not-the-password" } });
const unknownEmail = (i: number) =>
  call(r.login.POST, "/api/auth/login", { body: { email: `nobody-${i}@example.com`, password: "not-the-password" } });

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

describe("unknown email vs wrong password", () => {
  it("identical status, body and headers", async () => {
    const a = await wrongPassword();
    const b = await unknownEmail(0);
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.text).toBe(b.text);
    expect(a.json).toEqual({ error: "invalid_credentials", message: expect.any(String) });
    const headers = (res: typeof a) => [...res.headers.entries()].filter(([k]) => k !== "date");
    expect(headers(a)).toEqual(headers(b));
    expect(a.setCookies).toEqual([]);
  });

  it("a differently-cased or padded existing email is still the same account (no second, cheaper path)", async () => {
    const res = await call(r.login.POST, "/api/auth/login", {
      body: { email: `  ${EMAIL.toUpperCase()} `, password: "the-real-password" },
    });
    expect(res.status).toBe(200);
  });

  it("response time within 30% (medians of interleaved samples)", async () => {
    // Warm-up: the dummy hash is made on first use, and the first argon2 calls are slower.
    for (let i = 0; i < 3; i++) {
      await wrongPassword();
      await unknownEmail(i);
    }
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      const order = i % 2 === 0 ? ["known", "unknown"] : ["unknown", "known"];
      for (const kind of order) {
        const start = performance.now();
        if (kind === "known") await wrongPassword();
        else await unknownEmail(100 + i);
        (kind === "known" ? known : unknown).push(performance.now() - start);
      }
    }
    const k = median(known);
    const u = median(unknown);
    const difference = Math.abs(k - u) / Math.max(k, u);
    // A real argon2id verify is being paid for on both paths (tens of ms, not ~1 ms).
    expect(Math.min(k, u)).toBeGreaterThan(5);
    expect(difference, `wrong password ${k.toFixed(1)} ms, unknown email ${u.toFixed(1)} ms`).toBeLessThanOrEqual(0.3);
  });
});
