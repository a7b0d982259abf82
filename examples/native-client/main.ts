/**
 * npm run example:native-client -- sign-in | sign-in --password [email] | refresh | me | protected | sign-out | demo
 *
 * Env: AUTH_URL (http://localhost:3000), AUTH_ISSUER (AUTH_URL), CLIENT_ID (example-native),
 * RESOURCE_URL (http://localhost:4000), TOKEN_FILE (.data/native-client/session.json), BROWSER
 * (none: print the URL instead of opening a browser); for `sign-in --password` EMAIL and PASSWORD
 * (else asked for; the password is not echoed). Prints what happened, never a token or code.
 */
import path from "node:path";
import { BrowserSignInError, openBrowser } from "./browser-sign-in";
import { ClientError, createNativeClient } from "./client";
import { TokenFileError } from "./token-file";

const USAGE =
  "usage: npm run example:native-client -- sign-in | sign-in --password [email] | refresh | me | protected | sign-out | demo";

const env = (name: string, fallback: string) => process.env[name] || fallback;
const tokenFile = path.resolve(env("TOKEN_FILE", ".data/native-client/session.json"));
const authUrl = env("AUTH_URL", "http://localhost:3000");
const client = createNativeClient({
  authUrl,
  issuer: env("AUTH_ISSUER", new URL(authUrl).origin),
  clientId: env("CLIENT_ID", "example-native"),
  resourceUrl: env("RESOURCE_URL", "http://localhost:4000"),
  tokenFile,
  userAgent: env("CLIENT_USER_AGENT", "ExampleNativeClient/1.0"),
});

const say = (line: string) => process.stdout.write(`${line}\n`);

/** A line from the terminal; with `hidden`, nothing is echoed (a password). */
async function ask(question: string, hidden = false): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new ClientError(`${question.trim()} needed: set it in the environment`, 0, "usage");
  process.stdout.write(question);
  if (!hidden) {
    const readline = await import("node:readline/promises");
    const rl = readline.createInterface({ input: stdin, output: process.stdout, terminal: false });
    const answer = await rl.question("");
    rl.close();
    return answer.trim();
  }
  return new Promise((resolve, reject) => {
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stdout.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new ClientError("cancelled", 0, "cancelled"));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}

async function credentials(emailArg?: string) {
  const email = emailArg || process.env.EMAIL || (await ask("Email: "));
  const password = process.env.PASSWORD || (await ask("Password: ", true));
  return { email, password };
}

/** Opens the system browser on the sign-in page; prints the URL when no browser can be opened. */
async function open(url: string) {
  if (await openBrowser(url)) say(`opened your browser to sign in; if nothing appeared, open:\n${url}`);
  else say(`open this URL in a browser to sign in:\n${url}`);
  say("waiting for the browser to come back…");
}

async function signIn(flag?: string, emailArg?: string) {
  if (flag === "--password") {
    const { email, password } = await credentials(emailArg);
    const result = await client.signIn(email, password);
    say(`signed in as ${email}: token_type ${result.tokenType}, access token valid ${result.expiresIn} s`);
  } else {
    const result = await client.signInWithBrowser(open);
    say(`signed in through the browser: token_type ${result.tokenType}, access token valid ${result.expiresIn} s`);
  }
  say(`tokens and the DPoP private key saved to ${tokenFile} (mode 0600)`);
}

const commands: Record<string, (...args: (string | undefined)[]) => Promise<void>> = {
  "sign-in": signIn,
  async refresh() {
    const result = await client.refresh();
    say(`refreshed: new access token valid ${result.expiresIn} s, refresh token rotated`);
  },
  async me() {
    say(`GET /api/me → ${JSON.stringify(await client.me())}`);
  },
  async protected() {
    say(`GET /api/protected (example service) → ${JSON.stringify(await client.protectedResource())}`);
  },
  async "sign-out"() {
    await client.signOut();
    say(`signed out: the session is revoked on the server and ${tokenFile} is deleted`);
  },
  async demo(flag?: string, emailArg?: string) {
    await signIn(flag, emailArg);
    await commands.me();
    await commands.protected();
    await commands.refresh();
    await commands.me();
    await commands.protected();
    await commands["sign-out"]();
  },
};

async function main() {
  const [command, ...args] = process.argv.slice(2);
  const run = command ? commands[command] : undefined;
  if (!run) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  try {
    await run(...args);
  } catch (error) {
    if (error instanceof ClientError || error instanceof TokenFileError || error instanceof BrowserSignInError) {
      const code =
        error instanceof ClientError
          ? ` (${error.error}${error.status ? `, HTTP ${error.status}` : ""})`
          : error instanceof BrowserSignInError
            ? ` (${error.error})`
            : "";
      process.stderr.write(`${command}: ${error.message}${code}\n`);
      process.exit(1);
    }
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    process.stderr.write(`${command}: ${(error as Error).message}${cause ? ` (${cause})` : ""}\n`);
    process.exit(1);
  }
}

void main();
