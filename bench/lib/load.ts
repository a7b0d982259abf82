/**
 * Load generation over loopback with autocannon's programmatic API, plus the few plain requests
 * the benchmark needs to set up sessions. Latencies are taken from every response event (full
 * float precision, all statuses) rather than from autocannon's integer-millisecond histogram.
 */
import autocannon from "autocannon";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";
import { percentile } from "./stats";

export { ACCESS_COOKIE };

export type LoadResult = {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  /** Server CPU time per completed request (ms), when a CPU sampler was given. */
  cpuPerReq: number;
  /** refresh only: responses that carried a new refresh token (a real rotation). */
  rotated?: number;
};

export type LoadOptions = {
  url: string;
  seconds: number;
  connections: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Total requests per second across all connections (light load); unlimited when absent. */
  overallRate?: number;
  setupClient?: (client: autocannon.Client) => void;
  /** Reads the server's CPU time (ms); sampled before and after the run. */
  cpuMs?: () => number;
};

export async function load(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let non2xx = 0;
  const cpuBefore = options.cpuMs?.() ?? NaN;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
    timeout: 30,
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    overallRate: options.overallRate,
    setupClient: options.setupClient,
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode < 200 || statusCode > 299) non2xx++;
  });
  const result = await instance;
  const cpu = (options.cpuMs?.() ?? NaN) - cpuBefore;
  const seconds = result.duration;
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx,
    errors: result.errors,
    statuses,
    cpuPerReq: cpu / latencies.length,
  };
}

/** `name=value` pairs from Set-Cookie header values (attributes dropped). */
function cookiesFrom(setCookies: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of setCookies) {
    const first = line.split(";", 1)[0];
    const eq = first.indexOf("=");
    if (eq > 0) out[first.slice(0, eq).trim()] = first.slice(eq + 1).trim();
  }
  return out;
}

export async function post(origin: string, path: string, body: unknown, cookie?: string) {
  const res = await fetch(origin + path, {
    method: "POST",
    headers: {
      origin,
      "content-type": "application/json",
      ...(cookie ? { cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, cookies: cookiesFrom(res.headers.getSetCookie()), text };
}

export async function get(url: string, cookie?: string) {
  const res = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const text = await res.text();
  return { status: res.status, location: res.headers.get("location"), text };
}

/** Signs in and returns the session's cookies; throws unless it worked. */
export async function login(origin: string, email: string, password: string) {
  const res = await post(origin, "/api/auth/login", { email, password });
  if (res.status !== 200 || !res.cookies[ACCESS_COOKIE] || !res.cookies[REFRESH_COOKIE]) {
    throw new Error(`login failed: ${res.status} ${res.text.slice(0, 200)}`);
  }
  return { access: res.cookies[ACCESS_COOKIE], refresh: res.cookies[REFRESH_COOKIE] };
}

/**
 * POST /api/auth/refresh under load. Every connection owns one refresh family (started by a
 * login beforehand) and sends the token it received last: the response's Set-Cookie carries
 * the successor, which the connection's next request presents. Pipelining stays at 1 so a
 * family never has two refreshes in flight.
 */
export async function refreshLoad(
  origin: string,
  families: { token: string }[],
  seconds: number,
  cpuMs?: () => number,
): Promise<LoadResult> {
  let nextFamily = 0;
  let rotated = 0;
  const marker = `${REFRESH_COOKIE}=`;
  const result = await load({
    url: `${origin}/api/auth/refresh`,
    method: "POST",
    connections: families.length,
    seconds,
    headers: { origin },
    cpuMs,
    setupClient(client) {
      const family = families[nextFamily++ % families.length];
      client.setHeaders({ cookie: `${marker}${family.token}` });
      client.on("headers", (info: { headers: string[] }) => {
        const raw = info.headers;
        for (let i = 0; i < raw.length; i += 2) {
          if (raw[i].toLowerCase() !== "set-cookie" || !raw[i + 1].startsWith(marker)) continue;
          const value = raw[i + 1].slice(marker.length).split(";", 1)[0];
          if (!value) continue; // a cleared cookie (failure): keep presenting the old one, it counts as non-2xx
          family.token = value;
          rotated++;
          client.setHeaders({ cookie: `${marker}${value}` });
        }
      });
    },
  });
  return { ...result, rotated };
}
