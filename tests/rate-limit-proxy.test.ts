/**
 * Per-IP limits behind one trusted reverse proxy (TRUST_PROXY=1): the client is the address the
 * proxy appended to X-Forwarded-For (the rightmost entry), so entries a client prepends cannot
 * move it to a fresh budget, while two real clients behind the same proxy keep separate budgets.
 * (Its own file: configuration is per process.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getRuntime } from "@/lib/server/runtime";
import { call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
const PER_IP = 3;
const PROXY = "10.0.0.2";

beforeAll(async () => {
  await configureTestEnv({ AUTH_RATE_LIMIT: "on", TRUST_PROXY: "1", RATE_LIMIT_REGISTER_PER_IP: String(PER_IP) });
  r = await loadRoutes();
});

let n = 0;
const register = (xff: string) =>
  call(r.register.POST, "/api/auth/register", {
    body: { email: `proxy-${++n}@example.com`, password: "password-123" },
    headers: { "x-auth-socket-ip": PROXY, "x-forwarded-for": xff },
  });

describe("TRUST_PROXY=1", () => {
  it("forged entries a client prepends to X-Forwarded-For do not escape its per-IP limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP + 2; i++) statuses.push((await register(`6.6.6.${i}, 7.7.${i}.7, 203.0.113.50`)).status);
    expect(statuses).toEqual([...Array(PER_IP).fill(201), 429, 429]);
  });

  it("another client behind the same proxy has its own budget (the proxy's address is not the key)", async () => {
    expect((await register("203.0.113.51")).status).toBe(201);
  });

  it("the audit trail and the session record the client as the proxy saw it", async () => {
    const events = await (await getRuntime()).storage.store.recentEvents(100);
    const registered = events.filter((e) => e.type === "register");
    expect(new Set(registered.map((e) => e.ip))).toEqual(new Set(["203.0.113.50", "203.0.113.51"]));
    expect(events.find((e) => e.type === "rate_limited")?.ip).toBe("203.0.113.50");
  });
});
