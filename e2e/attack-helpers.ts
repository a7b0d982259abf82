/**
 * Helpers for the attack specs: raw HTTP (exact paths, forged Host and any header, no redirect
 * following, no cookie jar) and structural token forgery that needs no private key.
 */
import { createHmac, createPublicKey, randomUUID, type JsonWebKey } from "node:crypto";
import http from "node:http";
import { serverUrl } from "./servers";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";

export const MAIN = serverUrl("main");
const { hostname, port } = new URL(MAIN);

export type RawResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  setCookies: { name: string; value: string; attrs: string }[];
};

/** One request exactly as given: the path is sent byte for byte (//x, %64, .rsc ...). */
export function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: options.method ?? "GET",
        path,
        headers: options.headers,
        setHost: !options.headers?.host && !options.headers?.Host,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const setCookies = (res.headers["set-cookie"] ?? []).map((line) => {
            const [pair, ...rest] = line.split(";");
            const eq = pair.indexOf("=");
            return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs: rest.join(";") };
          });
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            setCookies,
          });
        });
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export const sameOrigin = { Origin: MAIN, "Content-Type": "application/json" };

export type Session = { email: string; password: string; access: string; refresh: string; cookie: string };

let counter = 0;
/** Registers a fresh user over HTTP and returns its credentials and cookies. */
export async function register(prefix = "attack"): Promise<Session> {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const email = `${prefix}-${id}@example.com`;
  const password = `pw-${id}-secret`;
  const res = await raw("/api/auth/register", {
    method: "POST",
    headers: sameOrigin,
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.body}`);
  const access = res.setCookies.find((c) => c.name === ACCESS_COOKIE && c.value)!.value;
  const refresh = res.setCookies.find((c) => c.name === REFRESH_COOKIE && c.value)!.value;
  return { email, password, access, refresh, cookie: `${ACCESS_COOKIE}=${access}; ${REFRESH_COOKIE}=${refresh}` };
}

export const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
export const decode = (segment: string) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));

/** Claims copied from a real token (so only the forged part can be what is refused), fresh jti. */
export function claimsOf(token: string) {
  return { ...decode(token.split(".")[1]), jti: randomUUID() };
}

/** The server's public key as published, in the three forms key-confusion attacks use as an HMAC secret. */
export async function publicKeyForms(): Promise<{ kid: string; pem: string; jwk: string; raw: Buffer }> {
  const jwks = JSON.parse((await raw("/.well-known/jwks.json")).body) as { keys: (JsonWebKey & { kid: string })[] };
  const jwk = jwks.keys[0];
  const pem = createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  return { kid: jwk.kid, pem, jwk: JSON.stringify(jwk), raw: point };
}

export function hs256(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | Buffer) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** (r, n - s): the malleated twin of a real ES256 token; verifies just the same. */
export function highSTwin(token: string) {
  const [h, p, sig] = token.split(".");
  const bytes = Buffer.from(sig, "base64url");
  const s = BigInt(`0x${bytes.subarray(32).toString("hex")}`);
  const twinS = Buffer.from((P256_ORDER - s).toString(16).padStart(64, "0"), "hex");
  return `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), twinS]).toString("base64url")}`;
}

/** A signed-in page shows the user's email in this element; no signed-out answer may contain it. */
export const SIGNED_IN_MARKER = 'data-testid="user-email"';
