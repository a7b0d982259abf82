/** The verified-token cache's memory: heap/RSS growth after verifying and caching N distinct tokens. */
import crypto from "node:crypto";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { signAccessToken, verifyAccessToken } from "@/lib/auth/access-token";
import { createVerifiedTokenCache } from "@/lib/auth/verified-token-cache";
import { SETTINGS } from "./micro-harness";

export type MemoryResult = {
  capacity: number;
  count: number;
  cached: number;
  heapMB: number;
  rssMB: number;
  externalMB: number;
  bytesPerEntry: number;
  seconds: number;
};

function gc() {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error("run with node --expose-gc");
  g();
  g();
}

export async function runMemory(capacity: number, count: number): Promise<MemoryResult> {
  const keys = await loadKeySet(await generateKeySetJson("ES256"));
  const started = performance.now();
  const cache = createVerifiedTokenCache(capacity);
  // Warm everything up before the baseline, so code and one-off allocations do not count.
  {
    const { token } = await signAccessToken(
      { userId: "warm", familyId: "warm", tokenVersion: 0, role: "user" },
      keys,
      SETTINGS,
      Date.now(),
      "warm",
    );
    const v = await verifyAccessToken(token, keys, SETTINGS, Date.now());
    if (!v.ok) throw new Error("warm-up token refused");
  }
  gc();
  const before = process.memoryUsage();
  // Distinct tokens as the server would see them (each its own user, session and jti), made the
  // way jose makes them but signed with synchronous node:crypto to keep this quick; each one is
  // then verified by verifyAccessToken and cached. Nothing but the cache keeps them afterwards.
  const template = await signAccessToken(
    { userId: "u", familyId: "f", tokenVersion: 0, role: "user" },
    keys,
    SETTINGS,
    Date.now(),
    "j",
  );
  const [headerSegment, payloadSegment] = template.token.split(".");
  const payloadTemplate = JSON.parse(Buffer.from(payloadSegment, "base64url").toString()) as Record<string, unknown>;
  const signingKey = crypto.KeyObject.from(keys.signing.key);
  const mint = (now: number) => {
    const iat = Math.floor(now / 1000);
    const payload: Record<string, unknown> = {
      ...payloadTemplate,
      sub: crypto.randomUUID(),
      sid: crypto.randomUUID(),
      jti: crypto.randomUUID(),
      iat,
      exp: iat + SETTINGS.accessTokenTtl,
    };
    const input = `${headerSegment}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    const sig = crypto.sign("sha256", Buffer.from(input), { key: signingKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${sig.toString("base64url")}`;
  };
  const BATCH = 64;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const now = Date.now();
    const tokens = Array.from({ length: n }, () => mint(now));
    const results = await Promise.all(tokens.map((t) => verifyAccessToken(t, keys, SETTINGS, now)));
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`token refused: ${r.error}`);
      if (!cache.get(tokens[i], now)) cache.set(tokens[i], r.claims);
    });
  }
  gc();
  const after = process.memoryUsage();
  const mb = (x: number) => x / (1024 * 1024);
  return {
    capacity,
    count,
    cached: cache.size,
    heapMB: mb(after.heapUsed - before.heapUsed),
    rssMB: mb(after.rss - before.rss),
    externalMB: mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
    bytesPerEntry: (after.heapUsed - before.heapUsed) / Math.max(1, cache.size),
    seconds: (performance.now() - started) / 1000,
  };
}
