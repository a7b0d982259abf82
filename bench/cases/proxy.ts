/**
 * In-process cases: the proxy itself, on the protected path /account/bench (the guard runs: a
 * cache hit, and first sight of a token) and on the unprotected path /bench (the guard does not
 * run), with the same cookie. Their difference is the guard's own cost.
 */
import crypto from "node:crypto";
import { ACCESS_COOKIE } from "@/lib/server/cookies";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { signAccessToken } from "@/lib/auth/access-token";
import type { Case } from "../lib/micro-harness";
import { MICRO } from "../lib/names";

export async function proxyCases(): Promise<Case[]> {
  const origin = "http://127.0.0.1:3999";
  const keysJson = await generateKeySetJson("ES256");
  // proxy.ts reads its configuration from the environment on first use.
  Object.assign(process.env, { APP_URL: origin, AUTH_SIGNING_KEYS: keysJson, LOG_LEVEL: "warn" });
  const { proxy } = await import("@/proxy");
  const { NextRequest } = await import("next/server");
  const keys = await loadKeySet(keysJson);
  const settings = { issuer: origin, audience: origin, accessTokenTtl: 900 };
  const mint = async () =>
    (
      await signAccessToken(
        { userId: crypto.randomUUID(), familyId: crypto.randomUUID(), tokenVersion: 0, role: "user" },
        keys,
        settings,
        Date.now(),
        crypto.randomUUID(),
      )
    ).token;
  const guarded = `${origin}/account/bench`;
  const unguarded = `${origin}/bench`;
  const request = (url: string, token: string) =>
    new NextRequest(url, { headers: { cookie: `${ACCESS_COOKIE}=${token}`, accept: "text/html" } });
  const token = await mint();

  // Sanity: without a cookie the guard redirects on the protected path and not on the other one.
  const noCookie = async (url: string) =>
    (await proxy(new NextRequest(url, { headers: { accept: "text/html" } }))).status;
  if ((await noCookie(guarded)) !== 307) throw new Error("proxy did not guard /account/bench");
  if ((await noCookie(unguarded)) !== 200) throw new Error("proxy guarded /bench");
  for (const url of [guarded, unguarded]) {
    const res = await proxy(request(url, token)); // the first fills the proxy's cache with this token
    if (res.status !== 200) throw new Error(`proxy answered ${res.status} for ${url}`);
  }

  let fresh: string[] = [];
  return [
    {
      name: MICRO.proxyGuardHit,
      units: 1500,
      batch: 1,
      async: true,
      op: () => proxy(request(guarded, token)),
    },
    {
      name: MICRO.proxyUnguarded,
      units: 1500,
      batch: 1,
      async: true,
      op: () => proxy(request(unguarded, token)),
    },
    {
      name: MICRO.proxyGuardMiss,
      units: 500,
      batch: 1,
      async: true,
      prepare: async (n) => {
        fresh = await Promise.all(Array.from({ length: n }, mint));
      },
      op: (i) => proxy(request(guarded, fresh[i])),
    },
  ];
}
