import { describe, expect, it } from "vitest";
import { ConfigError, devPortMismatch, parseConfig } from "@/lib/config";
import { parseDuration } from "@/lib/config/duration";
import { isSameOriginRequest } from "@/lib/security/origin";

/** A request as the browser at `origin` sends it (the same-origin check reads these headers). */
const from = (origin: string) => new Headers({ origin, "sec-fetch-site": "same-origin" });

describe("durations", () => {
  it("takes seconds or a unit", () => {
    expect(parseDuration("900")).toBe(900);
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("7d")).toBe(604800);
    expect(parseDuration("3s")).toBe(3);
    expect(parseDuration("2h")).toBe(7200);
    expect(() => parseDuration("15 minutes")).toThrow(/duration/);
    expect(() => parseDuration("-5s")).toThrow();
  });
});

describe("configuration", () => {
  it("has the documented defaults", () => {
    const c = parseConfig({}, "/srv/app");
    expect(c.database).toEqual({ engine: "sqlite", path: "/srv/app/.data/app.db" });
    expect(c.appOrigin).toBe("http://localhost:3000");
    expect(c.issuer).toBe("http://localhost:3000");
    expect(c.audience).toBe("http://localhost:3000");
    expect([c.accessTokenTtl, c.refreshTokenTtl, c.sessionMaxAge, c.refreshReuseGrace]).toEqual([
      900, 604800, 2592000, 10,
    ]);
    expect(c.rateLimit.enabled).toBe(true);
    expect(c.trustProxy).toBe(0);
  });

  it("derives iss and aud from APP_URL unless set; accepts absolute and relative file paths", () => {
    const c = parseConfig(
      { APP_URL: "https://app.example.com/some/path", DATABASE_URL: "file:/var/lib/app.db", AUTH_AUDIENCE: "api" },
      "/srv",
    );
    expect(c.issuer).toBe("https://app.example.com");
    expect(c.audience).toBe("api");
    expect(c.database).toEqual({ engine: "sqlite", path: "/var/lib/app.db" });
    expect(parseConfig({ DATABASE_URL: "file:data/x.db" }, "/srv").database).toEqual({
      engine: "sqlite",
      path: "/srv/data/x.db",
    });
  });

  it("providers: none by default; each exists when its variables are set; half a configuration or a remote http issuer stops start-up naming the variable", () => {
    expect(parseConfig({}).providers).toEqual([]);
    const c = parseConfig({
      AUTH_GITHUB_ID: "gh",
      AUTH_GITHUB_SECRET: "gh-secret",
      AUTH_GOOGLE_ID: "google",
      AUTH_GOOGLE_SECRET: "google-secret",
      AUTH_OIDC_ISSUER: "http://127.0.0.1:9999/realm",
      AUTH_OIDC_ID: "sso",
      AUTH_OIDC_SECRET: "sso-secret",
      AUTH_OIDC_NAME: "Acme SSO",
    });
    expect(c.providers.map((p) => [p.id, p.name])).toEqual([
      ["github", "GitHub"],
      ["google", "Google"],
      ["oidc", "Acme SSO"],
    ]);
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env);
      } catch (error) {
        return (error as ConfigError).message;
      }
      return "";
    };
    expect(problems({ AUTH_GITHUB_ID: "gh" })).toMatch(/AUTH_GITHUB_SECRET is required when AUTH_GITHUB_ID is set/);
    expect(problems({ AUTH_GOOGLE_SECRET: "s" })).toMatch(/AUTH_GOOGLE_ID is required when AUTH_GOOGLE_SECRET is set/);
    expect(problems({ AUTH_OIDC_ID: "a", AUTH_OIDC_SECRET: "b" })).toMatch(/AUTH_OIDC_ISSUER is required/);
    expect(problems({ AUTH_OIDC_ISSUER: "http://sso.example.com", AUTH_OIDC_ID: "a", AUTH_OIDC_SECRET: "b" })).toMatch(
      /AUTH_OIDC_ISSUER must use https \(plain http only for localhost or 127.0.0.1\)/,
    );
    expect(
      problems({ AUTH_GITHUB_ID: "a", AUTH_GITHUB_SECRET: "b", AUTH_GITHUB_API_URL: "http://api.example.com" }),
    ).toMatch(/AUTH_GITHUB_API_URL must use https/);
  });

  it("accepts lifetimes of a few seconds (tests exercise expiry for real)", () => {
    const c = parseConfig({
      ACCESS_TOKEN_TTL: "3s",
      REFRESH_TOKEN_TTL: "10",
      SESSION_MAX_AGE: "1m",
      REFRESH_REUSE_GRACE: "0",
    });
    expect([c.accessTokenTtl, c.refreshTokenTtl, c.sessionMaxAge, c.refreshReuseGrace]).toEqual([3, 10, 60, 0]);
  });

  it("stops with a message naming each bad variable and what it expects", () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({
        ACCESS_TOKEN_TTL: "soon",
        APP_URL: "not a url",
        DATABASE_URL: "mysql://x",
        AUTH_RATE_LIMIT: "maybe",
        TRUST_PROXY: "all",
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.message;
    expect(text).toMatch(/ACCESS_TOKEN_TTL.*duration/);
    expect(text).toMatch(/APP_URL must be an absolute http\(s\) URL/);
    expect(text).toMatch(/DATABASE_URL must be a SQLite file URL/);
    expect(text).toMatch(/AUTH_RATE_LIMIT must be "on" or "off"/);
    expect(text).toMatch(/TRUST_PROXY must be the number of reverse proxies/);
  });

  it("takes a postgres:// or postgresql:// DATABASE_URL with a pool of DATABASE_POOL_SIZE (default 10, 1 to 100)", () => {
    const url = "postgres://app:s3cret@db.example.com:5432/auth";
    expect(parseConfig({ DATABASE_URL: url }).database).toEqual({ engine: "postgres", url, poolSize: 10 });
    const other = "postgresql://app@10.0.0.5/auth?sslmode=require";
    expect(parseConfig({ DATABASE_URL: other, DATABASE_POOL_SIZE: "25" }).database).toEqual({
      engine: "postgres",
      url: other,
      poolSize: 25,
    });
    expect(parseConfig({ DATABASE_URL: "postgres:///auth?host=/run/postgresql" }).database.engine).toBe("postgres");
    for (const size of ["0", "101", "ten", "2.5"]) {
      expect(() => parseConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: size })).toThrow(
        /DATABASE_POOL_SIZE must be a whole number from 1 to 100/,
      );
    }
  });

  it("any other DATABASE_URL stops start-up naming the accepted forms, without echoing the value (it may hold a password)", () => {
    for (const value of ["mysql://root:s3cret@db/app", "s3cret", "postgres://root:s3cret@", "sqlite:///app.db"]) {
      let message = "";
      try {
        parseConfig({ DATABASE_URL: value });
      } catch (e) {
        message = (e as ConfigError).message;
      }
      expect(message, value).toMatch(/DATABASE_URL/);
      expect(message, value).toMatch(/file:\.data\/app\.db.*postgres:\/\//);
      expect(message, value).not.toContain("s3cret");
    }
  });

  it("refuses a zero access lifetime", () => {
    expect(() => parseConfig({ ACCESS_TOKEN_TTL: "0" })).toThrow(/ACCESS_TOKEN_TTL must be at least 1s/);
  });
});

describe("native apps through the browser (AUTH_NATIVE_CLIENTS, AUTH_PASSWORD_GRANT)", () => {
  const clients = (list: unknown) => JSON.stringify(list);

  it("none by default, and the password grant off", () => {
    const c = parseConfig({});
    expect(c.nativeClients).toEqual([]);
    expect(c.passwordGrant).toBe(false);
    expect(parseConfig({ AUTH_PASSWORD_GRANT: "on" }).passwordGrant).toBe(true);
    expect(() => parseConfig({ AUTH_PASSWORD_GRANT: "yes" })).toThrow(/AUTH_PASSWORD_GRANT must be "on" or "off"/);
  });

  it("under npm run dev the example app is known unless AUTH_NATIVE_CLIENTS says otherwise; never in production", () => {
    expect(parseConfig({ NODE_ENV: "development" }).nativeClients).toEqual([
      {
        clientId: "example-native",
        name: "Example native app",
        redirectUris: [{ uri: "http://127.0.0.1/callback", kind: "loopback" }],
      },
    ]);
    expect(parseConfig({ NODE_ENV: "development", AUTH_NATIVE_CLIENTS: "[]" }).nativeClients).toEqual([]);
    expect(parseConfig({ NODE_ENV: "production", SMTP_URL: "smtp://h:25" }).nativeClients).toEqual([]);
  });

  it("takes loopback (any port: registered without one), private-use and https redirect URIs", () => {
    const c = parseConfig({
      AUTH_NATIVE_CLIENTS: clients([
        {
          client_id: "desktop",
          name: "Example Desktop",
          redirect_uris: ["http://127.0.0.1:8080/callback", "http://[::1]/cb", "com.example.app:/oauth2redirect"],
        },
        { client_id: "ios", name: " Example iOS ", redirect_uris: ["https://app.example.com/native/callback"] },
      ]),
    });
    expect(c.nativeClients).toEqual([
      {
        clientId: "desktop",
        name: "Example Desktop",
        redirectUris: [
          { uri: "http://127.0.0.1/callback", kind: "loopback" },
          { uri: "http://[::1]/cb", kind: "loopback" },
          { uri: "com.example.app:/oauth2redirect", kind: "private_use" },
        ],
      },
      {
        clientId: "ios",
        name: "Example iOS",
        redirectUris: [{ uri: "https://app.example.com/native/callback", kind: "https" }],
      },
    ]);
  });

  it("refuses what RFC 8252 and RFC 6749 refuse, naming the variable", () => {
    const bad: [unknown, RegExp][] = [
      ["not json", /AUTH_NATIVE_CLIENTS must be JSON/],
      [{}, /must be a JSON list/],
      [[{ client_id: "a", name: "A", redirect_uris: ["http://localhost:9000/cb"] }], /rather than localhost/],
      [[{ client_id: "a", name: "A", redirect_uris: ["http://evil.example/cb"] }], /only on the loopback/],
      [[{ client_id: "a", name: "A", redirect_uris: ["http://127.0.0.1/cb#x"] }], /fragment/],
      [[{ client_id: "a", name: "A", redirect_uris: ["http://u@127.0.0.1/cb"] }], /user name or password/],
      [[{ client_id: "a", name: "A", redirect_uris: ["myapp:/cb"] }], /reverse domain name/],
      [[{ client_id: "a", name: "A", redirect_uris: ["javascript:alert(1)"] }], /javascript/],
      [[{ client_id: "a", name: "A", redirect_uris: [] }], /1 to 20 redirect URIs/],
      [[{ client_id: "a", name: "A", redirect_uris: ["https://x.example/cb"], client_secret: "s" }], /no secret/],
      [[{ client_id: "a b", name: "A", redirect_uris: ["https://x.example/cb"] }], /client_id must be/],
      [[{ client_id: "a", name: "", redirect_uris: ["https://x.example/cb"] }], /name must be/],
      [
        [
          { client_id: "a", name: "A", redirect_uris: ["https://x.example/cb"] },
          { client_id: "a", name: "B", redirect_uris: ["https://x.example/cb"] },
        ],
        /listed twice/,
      ],
    ];
    for (const [value, message] of bad) {
      const raw = typeof value === "string" ? value : clients(value);
      expect(() => parseConfig({ AUTH_NATIVE_CLIENTS: raw }), raw).toThrow(message);
      expect(() => parseConfig({ AUTH_NATIVE_CLIENTS: raw }), raw).toThrow(/AUTH_NATIVE_CLIENTS/);
    }
  });
});

describe("the app's origin follows the dev server's real port, in development only", () => {
  it("next dev on another port (busy 3000, -p or PORT): origin, iss, aud and redirects follow it", () => {
    const c = parseConfig({ NODE_ENV: "development", PORT: "3001" });
    expect(c.appOrigin).toBe("http://localhost:3001");
    expect([c.issuer, c.audience]).toEqual(["http://localhost:3001", "http://localhost:3001"]);
    expect(new URL("/login", c.appUrl).href).toBe("http://localhost:3001/login");
    expect(isSameOriginRequest(from("http://localhost:3001"), c.appOrigin)).toBe(true);
    expect(isSameOriginRequest(from("http://localhost:3000"), c.appOrigin)).toBe(false);
  });

  it("an explicit APP_URL wins in development too", () => {
    const c = parseConfig({ NODE_ENV: "development", PORT: "3001", APP_URL: "https://dev.example.com" });
    expect(c.appOrigin).toBe("https://dev.example.com");
  });

  it("outside next dev nothing is guessed from PORT: the documented default", () => {
    expect(parseConfig({ NODE_ENV: "development" }).appOrigin).toBe("http://localhost:3000");
    expect(parseConfig({ NODE_ENV: "test", PORT: "4001" }).appOrigin).toBe("http://localhost:3000");
    expect(parseConfig({ PORT: "4001" }).appOrigin).toBe("http://localhost:3000");
  });

  it("production keeps APP_URL strict: an Origin other than APP_URL's is refused whatever the port", () => {
    const smtp = { SMTP_URL: "smtp://127.0.0.1:2525" };
    const set = parseConfig({ NODE_ENV: "production", PORT: "4001", APP_URL: "https://app.example.com", ...smtp });
    expect(set.appOrigin).toBe("https://app.example.com");
    expect(isSameOriginRequest(from("https://app.example.com"), set.appOrigin)).toBe(true);
    expect(isSameOriginRequest(from("http://localhost:4001"), set.appOrigin)).toBe(false);
    const unset = parseConfig({ NODE_ENV: "production", PORT: "4001", ...smtp });
    expect(unset.appOrigin).toBe("http://localhost:3000");
    expect(isSameOriginRequest(from("http://localhost:4001"), unset.appOrigin)).toBe(false);
  });

  it("names an APP_URL left on another local port than the dev server's", () => {
    const dev = { NODE_ENV: "development", PORT: "3001" };
    expect(devPortMismatch(new URL("http://localhost:3000"), dev)).toMatch(
      /APP_URL is http:\/\/localhost:3000 but the dev server listens on port 3001/,
    );
    expect(devPortMismatch(new URL("http://localhost:3001"), dev)).toBeNull();
    expect(devPortMismatch(new URL("https://dev.example.com"), dev)).toBeNull(); // a tunnel or proxy in front
    expect(devPortMismatch(new URL("http://localhost:3000"), { ...dev, NODE_ENV: "production" })).toBeNull();
  });
});

describe("documentation", () => {
  it("README and .env.example document every configuration variable", async () => {
    const { CONFIG_VARIABLES } = await import("@/lib/config");
    const fs = await import("node:fs");
    const readme = fs.readFileSync("README.md", "utf8");
    const example = fs.readFileSync(".env.example", "utf8");
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(10);
    for (const name of CONFIG_VARIABLES) {
      expect(readme, name).toContain(`\`${name}\``);
      expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, "m"));
    }
  });

  it("the README's quick start has exactly the two commands", async () => {
    const fs = await import("node:fs");
    const readme = fs.readFileSync("README.md", "utf8");
    const quickStart = readme.split("## Quick start")[1].split("```")[1];
    const commands = quickStart
      .split("\n")
      .map((l) => l.replace(/#.*/, "").trim())
      .filter((l) => l && l !== "bash");
    expect(commands).toEqual(["npm install && npm run dev", "npm test"]);
  });
});
