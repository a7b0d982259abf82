/**
 * npm run example:resource-server
 *
 * Env: PORT (4000), JWKS_URL (http://localhost:3000/.well-known/jwks.json), AUTH_ISSUER and
 * AUTH_AUDIENCE (the JWKS URL's origin), PUBLIC_URL (http://localhost:$PORT), ACCESS_TOKEN_TTL
 * (15m: the longest token life accepted), JWKS_COOLDOWN (5s), JWKS_CACHE_MAX_AGE (10m), HOST.
 */
import { parseDuration } from "@/lib/config/duration";
import { startResourceServer } from "./resource-server";

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}

function fail(message: string): never {
  console.error(`resource-server: ${message}`);
  process.exit(1);
}

function duration(name: string, fallback: string): number {
  try {
    return parseDuration(env(name, fallback));
  } catch (error) {
    fail(`${name}: ${(error as Error).message}`);
  }
}

function origin(name: string, value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    fail(`${name} must be an absolute URL, got "${value}"`);
  }
}

async function main() {
  const port = Number(env("PORT", "4000"));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`PORT must be a port number, got "${process.env.PORT}"`);
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(env("JWKS_URL", "http://localhost:3000/.well-known/jwks.json"));
  } catch {
    fail(`JWKS_URL must be an absolute URL, got "${process.env.JWKS_URL}"`);
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(jwksUrl.hostname);
  if (jwksUrl.protocol !== "https:" && !loopback) {
    console.warn(
      "resource-server: JWKS_URL is not https: whoever can change that answer can mint tokens this service accepts",
    );
  }
  const issuer = env("AUTH_ISSUER", jwksUrl.origin);
  const audience = env("AUTH_AUDIENCE", jwksUrl.origin);
  const host = process.env.HOST || undefined;
  const publicUrl = origin("PUBLIC_URL", env("PUBLIC_URL", `http://localhost:${port}`));

  const running = await startResourceServer({
    port,
    host,
    publicUrl,
    jwksUrl,
    issuer,
    audience,
    maxTokenAge: duration("ACCESS_TOKEN_TTL", "15m"),
    jwksCooldownMs: duration("JWKS_COOLDOWN", "5s") * 1000,
    jwksCacheMaxAgeMs: duration("JWKS_CACHE_MAX_AGE", "10m") * 1000,
    log: (entry) => console.log(JSON.stringify({ time: new Date().toISOString(), ...entry })),
  });
  console.log(
    JSON.stringify({
      msg: "resource server listening",
      url: running.url,
      port: running.port,
      jwks: jwksUrl.href,
      issuer,
      audience,
    }),
  );

  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => fail((error as Error).message));
