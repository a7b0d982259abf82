/** In-process cases: the proxy itself, guard on (cache hit, and first sight of a token) vs pass-through. */
import crypto from "node:crypto";
import { ACCESS_COOKIE } from "@/lib/cookies";
import { generateKeySetJson, loadKeySet } from "@/lib/keys";
import { signAccessToken } from "@/lib/tokens";
import type { Case } from "../lib/micro-harness";
import { MICRO } from "../lib/names";

export async function proxyCases(): Promise<Case[]> {
  const origin = "http://127.0.0.1:3999";
  const keysJson = await generateKeySetJson("ES256");
  // proxy.ts reads its configuration from the environment on first use.
  Object.assign(process.env, { APP_URL: origin, AUTH_SIGNING_KEYS: keysJson, LOG_LEVEL: "warn" });
  delete process.env.BENCH_PROXY_PASS_THROUGH;
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
  const url = `${origin}/account/bench`;
  const request = (token: string) => new NextRequest(url, { headers: { cookie: `${ACCESS_COOKIE}=${token}`, accept: "text/html" } });
  const token = await mint();

  const passes = async (passThrough: boolean, t: string) => {
    if (passThrough) process.env.BENCH_PROXY_PASS_THROUGH = "1";
    else delete process.env.BENCH_PROXY_PASS_THROUGH;
    const res = await proxy(request(t));
    if (res.status !== 200) throw new Error(`proxy answered ${res.status} (pass-through ${passThrough})`);
  };
  await passes(false, token); // fills the proxy's cache with this token
  await passes(true, token);

  let fresh: string[] = [];
  return [
    {
      name: MICRO.proxyGuardHit,
      units: 1500,
      batch: 1,
      async: true,
      prepare: () => delete process.env.BENCH_PROXY_PASS_THROUGH,
      op: () => proxy(request(token)),
    },
    {
      name: MICRO.proxyPassThrough,
      units: 1500,
      batch: 1,
      async: true,
      prepare: () => (process.env.BENCH_PROXY_PASS_THROUGH = "1"),
      op: () => proxy(request(token)),
    },
    {
      name: MICRO.proxyGuardMiss,
      units: 500,
      batch: 1,
      async: true,
      prepare: async (n) => {
        delete process.env.BENCH_PROXY_PASS_THROUGH;
        fresh = await Promise.all(Array.from({ length: n }, mint));
      },
      op: (i) => proxy(request(fresh[i])),
    },
  ];
}
