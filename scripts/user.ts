/**
 * `npm run user -- <command>`: accounts from the command line, for operators (the first
 * administrator of a production deployment, a locked-out user), on DATABASE_URL with the app's own
 * rules (argon2id, normalised addresses, the last administrator kept) and audit events recorded
 * with the actor "cli".
 *
 *   add <email> [--role admin] [--name NAME]   password from standard input, else generated and printed once
 *   role <email> <user|admin>
 *   disable <email> | enable <email>
 *   end-sessions <email>
 *   list [--query Q]
 *
 * Exit 0 on success; otherwise 1 (2 for a usage mistake) with one line on stderr. Never prints a
 * hash or a token.
 */
import { parseArgs } from "node:util";
import type { Actor, AdminUser } from "@/lib/auth/administration";
import { ROLES, type Role } from "@/lib/auth/roles";
import { normaliseEmail } from "@/lib/auth/users";
import { getRuntime, type Runtime } from "@/lib/server/runtime";

const CLI: Actor = { kind: "cli" };
const META = { ip: null, userAgent: "npm run user" };

const USAGE = `Usage: npm run user -- <command>
  add <email> [--role admin] [--name NAME]   (password from standard input, else generated and printed once)
  role <email> <user|admin>
  disable <email>
  enable <email>
  end-sessions <email>
  list [--query Q]`;

/** A mistake the operator can fix: one line, no stack. */
class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The password piped in (`echo … | npm run user -- add …`), or null at a terminal. */
async function passwordFromStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  const password = data.replace(/\r?\n$/, "");
  return password === "" ? null : password;
}

const day = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().slice(0, 16).replace("T", " "));

function table(users: AdminUser[]): string {
  const rows = [
    ["EMAIL", "NAME", "ROLE", "VERIFIED", "TWO-STEP", "DISABLED", "CREATED", "LAST SIGN-IN"],
    ...users.map((u) => [
      u.email,
      u.name ?? "-",
      u.role,
      u.emailVerified ? "yes" : "no",
      u.twoFactor ? "on" : "off",
      u.disabled ? "yes" : "no",
      day(u.createdAt),
      day(u.lastSignInAt),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function explain(error: string, address: string): never {
  const email = normaliseEmail(address);
  switch (error) {
    case "not_found":
      throw new CommandError(`No account with the address ${email}.`);
    case "last_admin":
      throw new CommandError("That is the last enabled administrator: make another one first.");
    case "email_taken":
      throw new CommandError(`An account with the address ${email} exists already.`);
    case "invalid_password":
      throw new CommandError("The password must be 8 to 256 characters long.");
    default:
      throw new CommandError(error);
  }
}

async function run(rt: Runtime, argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: "string" }, name: { type: "string" }, query: { type: "string" } },
  });
  const [command, email, extra] = positionals;
  const needEmail = () => {
    if (!email) throw new CommandError(`${command} needs an email address.\n${USAGE}`, 2);
    return email;
  };
  const role = (value: string | undefined): Role => {
    if (!value || !(ROLES as readonly string[]).includes(value))
      throw new CommandError(`The role must be one of: ${ROLES.join(", ")}.`, 2);
    return value as Role;
  };

  switch (command) {
    case "add": {
      const address = needEmail();
      const password = await passwordFromStdin();
      const made = await rt.auth.addUser(
        { email: address, name: values.name?.trim() || null, role: role(values.role ?? "user"), password },
        CLI,
        META,
      );
      if (!made.ok) explain(made.error, address);
      const lines = [`Created ${made.user.role} ${made.user.email}.`];
      if (made.generatedPassword)
        lines.push(`Password (shown once, change it after signing in): ${made.generatedPassword}`);
      return lines.join("\n");
    }
    case "role": {
      const address = needEmail();
      const changed = await rt.auth.setRole({ email: address }, role(extra), CLI, META);
      if (!changed.ok) explain(changed.error, address);
      return `${changed.user.email} is now ${changed.user.role}.`;
    }
    case "disable":
    case "enable": {
      const address = needEmail();
      const changed = await rt.auth.setDisabled({ email: address }, command === "disable", CLI, META);
      if (!changed.ok) explain(changed.error, address);
      return command === "disable"
        ? `Disabled ${changed.user.email}: every session ended; signing in is refused.`
        : `Enabled ${changed.user.email}: signing in works again.`;
    }
    case "end-sessions": {
      const address = needEmail();
      const ended = await rt.auth.endAllSessionsOf({ email: address }, "cli", META);
      if (!ended.ok) explain(ended.error, address);
      return `Ended ${ended.ended} session${ended.ended === 1 ? "" : "s"} of ${ended.user.email}.`;
    }
    case "list": {
      const users: AdminUser[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof rt.auth.listUsers>> = await rt.auth.listUsers({
          query: values.query ?? null,
          cursor,
          limit: 200,
        });
        users.push(...page.users);
        cursor = page.nextCursor;
      } while (cursor);
      return users.length ? table(users) : "No users.";
    }
    default:
      throw new CommandError(command ? `Unknown command "${command}".\n${USAGE}` : USAGE, 2);
  }
}

// No top-level await: the package is CommonJS, and tsx refuses it there.
async function main() {
  let rt: Runtime | undefined;
  // The server's info lines would mix with the command's answer.
  process.env.LOG_LEVEL ??= "error";
  try {
    rt = await getRuntime();
    console.log(await run(rt, process.argv.slice(2)));
  } catch (error) {
    // One line (usage: a few), never a stack, a hash or a connection string.
    process.stderr.write(`${error instanceof CommandError ? error.message : `Failed: ${(error as Error).message}`}\n`);
    process.exitCode = error instanceof CommandError ? error.exitCode : 1;
  } finally {
    await rt?.storage.close();
  }
}

void main();
