/**
 * The browser's side of step-up (lib/client/step-up-calls.ts) and authFetch's 401 handling
 * (lib/client/auth-fetch.ts): a 401 about the request, not the token, is neither refreshed nor resent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fetchWithRefresh } from "@/lib/client/auth-fetch";
import type { AuthController } from "@/lib/client/session-controller";
import { codeProof, isReauthenticationRequired } from "@/lib/client/step-up-calls";

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("step-up calls", () => {
  it("one field takes a 6-digit code (spaces allowed) or a recovery code", () => {
    expect(codeProof("123 456")).toEqual({ code: "123456" });
    expect(codeProof(" k3v9-7wq2-x8ma ")).toEqual({ recoveryCode: "k3v9-7wq2-x8ma" });
    expect(codeProof("12345")).toEqual({ recoveryCode: "12345" });
  });

  it("recognises 401 reauthentication_required, and leaves the body readable", async () => {
    const res = answer(401, { error: "reauthentication_required", message: "Confirm it's you" });
    expect(await isReauthenticationRequired(res)).toBe(true);
    expect(await res.json()).toMatchObject({ error: "reauthentication_required" });
    expect(await isReauthenticationRequired(answer(401, { error: "unauthenticated" }))).toBe(false);
    expect(await isReauthenticationRequired(answer(403, { error: "reauthentication_required" }))).toBe(false);
    expect(await isReauthenticationRequired(new Response("not json", { status: 401 }))).toBe(false);
  });
});

describe("fetchWithRefresh and 401s", () => {
  const refresh = vi.fn(async () => ({ ok: true }) as const);
  const controller = {
    getSnapshot: () => ({ status: "unauthenticated" }),
    now: () => Date.now(),
    refresh,
  } as unknown as AuthController;

  beforeEach(() => {
    vi.stubGlobal("window", { location: { href: "http://app.test/account/security" } });
    refresh.mockClear();
  });
  afterEach(() => vi.unstubAllGlobals());

  it.each(["reauthentication_required", "invalid_credentials", "invalid_code"])(
    "a 401 %s comes back as it is: no refresh, no second request",
    async (error) => {
      const fetch = vi.fn(async () => answer(401, { error }));
      vi.stubGlobal("fetch", fetch);
      const res = await fetchWithRefresh(controller, "http://app.test/api/auth/two-factor/setup", { method: "POST" });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error });
      expect(refresh).not.toHaveBeenCalled();
      expect(fetch).toHaveBeenCalledTimes(1);
    },
  );

  it("a 401 about the access token is refreshed once and retried", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(401, { error: "unauthenticated" }))
      .mockResolvedValueOnce(answer(200, { ok: true }));
    vi.stubGlobal("fetch", fetch);
    const res = await fetchWithRefresh(controller, "http://app.test/api/me");
    expect(res.status).toBe(200);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
