/**
 * Sign-in through the system browser (RFC 8252): the app never sees the password, passkey or
 * second step; the person signs in on the auth server's own page, and the app gets a one-time code
 * on a loopback redirect it listens for, which it exchanges with its PKCE verifier (RFC 7636) and
 * a DPoP proof (RFC 9449).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { calculateJwkThumbprint, type JWK } from "jose";

export class BrowserSignInError extends Error {
  constructor(
    message: string,
    readonly error: string,
  ) {
    super(message);
  }
}

const random = () => randomBytes(32).toString("base64url");

/**
 * Opens the URL in the system browser; false when none could be started (a server, a container,
 * BROWSER=none), and then the URL is printed for the person to open.
 */
export function openBrowser(url: string): Promise<boolean> {
  if (process.env.BROWSER === "none") return Promise.resolve(false);
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
        : [process.env.BROWSER || "xdg-open", [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { stdio: "ignore", detached: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * Starts the sign-in: a loopback listener on 127.0.0.1 on a port the system picks (RFC 8252 §7.3:
 * never a fixed one another program could hold), the authorization URL with a fresh PKCE pair,
 * state and the DPoP key's thumbprint; `open` is told the URL. Resolves with the code and the
 * verifier once the browser comes back with a matching state and issuer.
 */
export async function authorizeInBrowser(options: {
  authUrl: string;
  issuer: string;
  clientId: string;
  dpopPublicJwk: JWK;
  open: (url: string) => Promise<void>;
  timeoutMs?: number;
}): Promise<{ code: string; codeVerifier: string; redirectUri: string }> {
  const codeVerifier = random();
  const state = random();
  const challenge = createHash("sha256").update(codeVerifier).digest("base64url");
  const dpopJkt = await calculateJwkThumbprint(options.dpopPublicJwk, "sha256");

  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const answered = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== "/callback") {
      res.writeHead(404).end();
      return;
    }
    const reply = (status: number, title: string, text: string) => {
      // The page must not pass the code on to anything (Referer) or be kept.
      res.writeHead(status, {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
      });
      res.end(PAGE(title, text));
    };
    // state first: a redirect this app did not start (another page sending the browser here) is ignored.
    if (url.searchParams.get("state") !== state) {
      reply(400, "Sign-in not recognised", "This answer does not belong to the sign-in this app started.");
      return;
    }
    // RFC 9207: the answer must come from the server the app asked (no mix-up with another).
    if (url.searchParams.get("iss") !== options.issuer) {
      reply(400, "Sign-in refused", "The answer came from an unexpected server.");
      settle.reject(new BrowserSignInError("The redirect's iss is not the auth server's issuer.", "wrong_issuer"));
      return;
    }
    const error = url.searchParams.get("error");
    const code = url.searchParams.get("code");
    if (error || !code) {
      reply(400, "Sign-in failed", "Return to the app to see why.");
      const description = url.searchParams.get("error_description") ?? "The server refused the sign-in.";
      settle.reject(new BrowserSignInError(description, error ?? "no_code"));
      return;
    }
    reply(200, "Signed in", "You can close this tab and return to the app.");
    settle.resolve(code);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const authorize = new URL("/api/auth/authorize", options.authUrl);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    dpop_jkt: dpopJkt,
  }).toString();
  const timeout = setTimeout(
    () => settle.reject(new BrowserSignInError("No answer from the browser in time.", "timeout")),
    options.timeoutMs ?? 5 * 60_000,
  );
  try {
    await options.open(authorize.href);
    const code = await answered;
    return { code, codeVerifier, redirectUri };
  } finally {
    clearTimeout(timeout);
    server.closeAllConnections();
    server.close();
  }
}
