/**
 * The providers a person can sign in with, from the environment. A provider exists only when its
 * variables are set; half a configuration (an id without its secret) is an error that names the
 * variable. Endpoints over plain http are accepted only on a loopback host (tests, development).
 */
export type ProviderConfig =
  | { id: "github"; name: "GitHub"; clientId: string; clientSecret: string; url: URL; apiUrl: URL }
  | { id: "google"; name: "Google"; clientId: string; clientSecret: string; issuer: URL }
  | { id: "oidc"; name: string; clientId: string; clientSecret: string; issuer: URL };

type Env = { [K in `AUTH_${"GITHUB" | "GOOGLE" | "OIDC"}_${string}`]?: string };

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An http(s) URL, https unless its host is a loopback address. */
function endpoint(name: string, value: string, problems: string[]): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} must be an absolute URL such as https://example.com, got "${value}"`);
    return null;
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname))) return url;
  problems.push(`${name} must use https (plain http only for localhost or 127.0.0.1), got "${value}"`);
  return null;
}

/** Both or neither: an id without its secret is a mistake worth a clear start-up error. */
function pair(
  env: Env,
  id: keyof Env,
  secret: keyof Env,
  problems: string[],
): { clientId: string; clientSecret: string } | null {
  const clientId = env[id];
  const clientSecret = env[secret];
  if (!clientId && !clientSecret) return null;
  if (!clientId) problems.push(`${id} is required when ${secret} is set`);
  if (!clientSecret) problems.push(`${secret} is required when ${id} is set`);
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

export function parseProviders(env: Env, problems: string[]): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  const github = pair(env, "AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET", problems);
  if (github) {
    const url = endpoint("AUTH_GITHUB_URL", env.AUTH_GITHUB_URL ?? "https://github.com", problems);
    const apiUrl = endpoint("AUTH_GITHUB_API_URL", env.AUTH_GITHUB_API_URL ?? "https://api.github.com", problems);
    if (url && apiUrl) providers.push({ id: "github", name: "GitHub", ...github, url, apiUrl });
  }
  const google = pair(env, "AUTH_GOOGLE_ID", "AUTH_GOOGLE_SECRET", problems);
  if (google)
    providers.push({ id: "google", name: "Google", ...google, issuer: new URL("https://accounts.google.com") });
  const oidc = pair(env, "AUTH_OIDC_ID", "AUTH_OIDC_SECRET", problems);
  if (oidc || env.AUTH_OIDC_ISSUER) {
    if (!env.AUTH_OIDC_ISSUER) problems.push("AUTH_OIDC_ISSUER is required when AUTH_OIDC_ID is set");
    else if (!oidc) problems.push("AUTH_OIDC_ID and AUTH_OIDC_SECRET are required when AUTH_OIDC_ISSUER is set");
    else {
      const issuer = endpoint("AUTH_OIDC_ISSUER", env.AUTH_OIDC_ISSUER, problems);
      if (issuer) providers.push({ id: "oidc", name: env.AUTH_OIDC_NAME || "Single sign-on", ...oidc, issuer });
    }
  }
  return providers;
}
