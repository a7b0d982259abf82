/**
 * Native apps that sign in through the system browser (RFC 8252), from AUTH_NATIVE_CLIENTS: a JSON
 * list of `{ client_id, name, redirect_uris }`. They are public clients (no secret: an app cannot
 * keep one); what protects their codes is PKCE and the registered redirect URIs. Each redirect URI
 * is one of the three kinds RFC 8252 §7 allows, checked here so a mistake stops start-up instead of
 * opening a hole at run time.
 */
type RedirectKind =
  /** `http://127.0.0.1/…` or `http://[::1]/…` (§7.3): any port matches; the rest exactly. */
  | "loopback"
  /** `com.example.app:/callback` (§7.1): a reverse domain name scheme, matched exactly. */
  | "private_use"
  /** `https://app.example.com/callback` (§7.2, a claimed https URL), matched exactly. */
  | "https";

type RegisteredRedirect = { uri: string; kind: RedirectKind };

export type NativeClient = { clientId: string; name: string; redirectUris: RegisteredRedirect[] };

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);
/** RFC 8252 §7.1: a scheme based on a domain name the app's publisher controls (it has a dot). */
const PRIVATE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;

/** What a redirect URI is, or why it cannot be registered. */
function classifyRedirectUri(value: string): RegisteredRedirect | string {
  if (value.includes("#")) return "a redirect URI must not have a fragment (RFC 6749 §3.1.2)";
  if (/[\s\\]/.test(value)) return "a redirect URI must not contain whitespace or backslashes";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not an absolute URI";
  }
  if (url.username || url.password) return "a redirect URI must not carry a user name or password";
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "http") {
    if (url.hostname === "localhost")
      return "use http://127.0.0.1 (or [::1]) rather than localhost (RFC 8252 §8.3: localhost may resolve elsewhere)";
    if (!LOOPBACK_HOSTS.has(url.hostname))
      return "plain http is allowed only on the loopback address 127.0.0.1 or [::1]";
    // The port is the app's to choose at run time (§7.3): registered without one.
    url.port = "";
    return { uri: url.href, kind: "loopback" };
  }
  if (scheme === "https") return { uri: url.href, kind: "https" };
  if (["javascript", "data", "file", "blob", "about", "vbscript"].includes(scheme)) return `the ${scheme}: scheme`;
  if (!PRIVATE_SCHEME.test(scheme))
    return "a private-use scheme must be a reverse domain name such as com.example.app (RFC 8252 §7.1)";
  return { uri: url.href, kind: "private_use" };
}

/** Parses AUTH_NATIVE_CLIENTS; every problem names the variable and the client. */
export function parseNativeClients(raw: string | undefined, problems: string[]): NativeClient[] {
  if (raw === undefined || raw.trim() === "") return [];
  const name = "AUTH_NATIVE_CLIENTS";
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    problems.push(`${name} must be JSON: [{"client_id":"…","name":"…","redirect_uris":["http://127.0.0.1/callback"]}]`);
    return [];
  }
  if (!Array.isArray(list)) {
    problems.push(`${name} must be a JSON list of clients`);
    return [];
  }
  const clients: NativeClient[] = [];
  const seen = new Set<string>();
  list.forEach((entry: unknown, index) => {
    const where = `${name}[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be an object with client_id, name and redirect_uris`);
      return;
    }
    const { client_id: clientId, name: clientName, redirect_uris: uris, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) {
      // A client_secret here would suggest a confidential client: these apps cannot keep one.
      problems.push(`${where} has unknown members (${unknown.join(", ")}); native clients are public: no secret`);
      return;
    }
    if (typeof clientId !== "string" || !CLIENT_ID.test(clientId)) {
      problems.push(`${where}.client_id must be 1 to 64 characters of letters, digits, ".", "_", "~" or "-"`);
      return;
    }
    if (seen.has(clientId)) {
      problems.push(`${where}.client_id "${clientId}" is listed twice`);
      return;
    }
    seen.add(clientId);
    if (
      typeof clientName !== "string" ||
      !clientName.trim() ||
      clientName.length > 60 ||
      /[\p{Cc}]/u.test(clientName)
    ) {
      problems.push(`${where}.name must be 1 to 60 characters without control characters (shown on the devices page)`);
      return;
    }
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > 20) {
      problems.push(`${where}.redirect_uris must be a list of 1 to 20 redirect URIs`);
      return;
    }
    const redirectUris: RegisteredRedirect[] = [];
    for (const uri of uris) {
      const kind = typeof uri === "string" && uri.length <= 512 ? classifyRedirectUri(uri) : "not a string";
      if (typeof kind === "string") problems.push(`${where}.redirect_uris: ${JSON.stringify(uri)}: ${kind}`);
      else redirectUris.push(kind);
    }
    clients.push({ clientId, name: clientName.trim(), redirectUris });
  });
  return clients;
}
