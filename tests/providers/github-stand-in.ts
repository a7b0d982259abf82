/**
 * A stand-in for GitHub's OAuth app endpoints on 127.0.0.1 (the one peer with no offline original):
 * /login/oauth/authorize (a page with test users, and "Cancel"), /login/oauth/access_token (checks
 * the client, a one-use code, the redirect URI and PKCE S256, and answers errors with HTTP 200 and
 * an `error` member, as GitHub does), and the API's /user and /user/emails.
 *
 * Usage: `const gh = await startGithubStandIn()`; `gh.url`; `await gh.close()`.
 * As a program (Playwright's web server): `tsx tests/providers/github-stand-in.ts <port>`.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export const GITHUB_CLIENT = { id: "gh-test-client", secret: "gh-test-secret" };

type GithubUser = {
  id: number;
  login: string;
  name: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
};

const GITHUB_USERS: Record<string, GithubUser> = {
  octo: {
    id: 1001,
    login: "octo",
    name: "Octo Cat",
    emails: [{ email: "octo@github.example", primary: true, verified: true }],
  },
  lurker: {
    id: 1002,
    login: "lurker",
    name: "Unverified Lurker",
    emails: [{ email: "lurker@github.example", primary: true, verified: false }],
  },
};

/** Sets a user (tests that need an address of their choosing). */
export function setGithubUser(login: string, user: GithubUser) {
  GITHUB_USERS[login] = user;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startGithubStandIn(options: { port?: number } = {}) {
  const codes = new Map<string, { login: string; redirectUri: string; challenge: string }>();
  const tokens = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const form = new URLSearchParams(raw);
      if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
        const p = url.searchParams;
        if (
          p.get("client_id") !== GITHUB_CLIENT.id ||
          p.get("code_challenge_method") !== "S256" ||
          !p.get("code_challenge")
        )
          return json(400, { error: "invalid_request" });
        const hidden = ["redirect_uri", "state", "code_challenge"]
          .map((k) => `<input type="hidden" name="${k}" value="${escape(p.get(k) ?? "")}">`)
          .join("");
        const buttons = Object.keys(GITHUB_USERS)
          .map((login) => `<button name="login" value="${escape(login)}">Authorize as ${escape(login)}</button>`)
          .join("");
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        return res.end(
          `<!doctype html><html lang="en"><head><title>GitHub stand-in</title></head><body><h1>GitHub stand-in</h1>` +
            `<form method="post" action="/login/oauth/authorize">${hidden}${buttons}<button name="login" value="">Cancel</button></form></body></html>`,
        );
      }
      if (req.method === "POST" && url.pathname === "/login/oauth/authorize") {
        const back = new URL(form.get("redirect_uri") ?? "");
        back.searchParams.set("state", form.get("state") ?? "");
        const login = form.get("login") ?? "";
        if (!GITHUB_USERS[login]) back.searchParams.set("error", "access_denied");
        else {
          const code = randomBytes(16).toString("hex");
          codes.set(code, {
            login,
            redirectUri: form.get("redirect_uri") ?? "",
            challenge: form.get("code_challenge") ?? "",
          });
          back.searchParams.set("code", code);
        }
        res.writeHead(302, { Location: back.toString() });
        return res.end();
      }
      if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
        // GitHub answers these with HTTP 200: a client must read the body.
        if (form.get("client_id") !== GITHUB_CLIENT.id || form.get("client_secret") !== GITHUB_CLIENT.secret)
          return json(200, {
            error: "incorrect_client_credentials",
            error_description: "The client_id and/or client_secret passed are incorrect.",
          });
        const code = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!code || code.redirectUri !== form.get("redirect_uri"))
          return json(200, {
            error: "bad_verification_code",
            error_description: "The code passed is incorrect or expired.",
          });
        const challenge = createHash("sha256")
          .update(form.get("code_verifier") ?? "")
          .digest("base64url");
        if (challenge !== code.challenge)
          return json(200, { error: "bad_verification_code", error_description: "The code_verifier does not match." });
        const token = `gho_${randomBytes(16).toString("hex")}`;
        tokens.set(token, code.login);
        return json(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
      }
      const login = tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
      const user = login ? GITHUB_USERS[login] : undefined;
      if (req.method === "GET" && (url.pathname === "/user" || url.pathname === "/user/emails")) {
        if (!user) return json(401, { message: "Bad credentials" });
        if (url.pathname === "/user")
          return json(200, { id: user.id, login: user.login, name: user.name, email: null });
        return json(200, user.emails);
      }
      json(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

if (process.argv[1]?.endsWith("github-stand-in.ts")) {
  void startGithubStandIn({ port: Number(process.argv[2]) }).then(({ url }) =>
    console.log(`GitHub stand-in at ${url}`),
  );
}
