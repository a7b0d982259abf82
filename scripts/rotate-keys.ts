/**
 * One step of a signing-key rotation (docs/key-rotation.md):
 *
 *   npm run keys:rotate -- add     [file] [--alg ES256|EdDSA] [--out next.json]
 *   npm run keys:rotate -- promote [file] [--kid KID]         [--out next.json]
 *   npm run keys:rotate -- retire  [file] [--kid KID]         [--out next.json]
 *
 * Reads the current set from `file` or AUTH_SIGNING_KEYS, writes the next set to stdout (one line,
 * nothing else) or to --out (created with mode 0600, never overwritten). Everything else (what
 * changed, kids and roles, the next step) goes to stderr and holds no key material.
 */
import fs from "node:fs";
import { KeySetError, type SigningAlgorithm } from "@/lib/auth/keys";
import { NEXT_STEPS, ROTATION_STEPS, RotationError, rotate, type KeyRole, type RotationStep } from "./key-rotation";

const USAGE = "usage: npm run keys:rotate -- add|promote|retire [file] [--alg ES256|EdDSA] [--kid KID] [--out FILE]";

function fail(message: string): never {
  process.stderr.write(`keys:rotate: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv: string[]) {
  const [step, ...rest] = argv;
  if (!ROTATION_STEPS.includes(step as RotationStep)) fail(`${step ? `unknown step "${step}". ` : ""}${USAGE}`);
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--alg" || arg === "--kid" || arg === "--out") {
      const value = rest[++i];
      if (value === undefined) fail(`${arg} needs a value. ${USAGE}`);
      flags[arg.slice(2)] = value;
    } else if (arg.startsWith("--")) fail(`unknown option ${arg}. ${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length > 1) fail(`one input file at most. ${USAGE}`);
  return { step: step as RotationStep, file: positional[0], alg: flags.alg, kid: flags.kid, out: flags.out };
}

function describe(keys: KeyRole[]) {
  return keys
    .map((k, i) => `  ${i + 1}. ${k.kid} (${k.alg}): ${k.signs ? "signs and verifies" : "verifies"}, published`)
    .join("\n");
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let current: string;
  if (args.file) {
    try {
      current = fs.readFileSync(args.file, "utf8");
    } catch (error) {
      fail(`cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else if (process.env.AUTH_SIGNING_KEYS) {
    current = process.env.AUTH_SIGNING_KEYS;
  } else {
    fail(`give the current set as a file argument or in AUTH_SIGNING_KEYS. ${USAGE}`);
  }

  let result: Awaited<ReturnType<typeof rotate>>;
  try {
    result = await rotate(current, args.step, { alg: args.alg as SigningAlgorithm | undefined, kid: args.kid });
  } catch (error) {
    if (error instanceof KeySetError || error instanceof RotationError) fail(error.message);
    throw error;
  }

  const err = process.stderr;
  err.write(
    `${args.step}: ${result.change}\n\nbefore:\n${describe(result.before)}\nafter:\n${describe(result.after)}\n`,
  );
  for (const warning of result.warnings) err.write(`\nwarning: ${warning}\n`);

  if (args.out) {
    try {
      fs.writeFileSync(args.out, `${result.next}\n`, { flag: "wx", mode: 0o600 });
    } catch (error) {
      fail(
        `cannot create ${args.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (it is never overwritten)`,
      );
    }
    err.write(`\nThe next AUTH_SIGNING_KEYS is in ${args.out} (mode 0600). It holds private keys: a secret.\n`);
  } else {
    err.write(
      "\nThe line on stdout is the next AUTH_SIGNING_KEYS. It holds private keys: a secret. Put it in your\n" +
        "secret store; keep it out of chat, tickets, logs and shell history.\n",
    );
    if (process.stdout.isTTY)
      err.write("warning: stdout is a terminal; prefer --out FILE or a pipe into your secret store\n");
  }
  err.write(`\nnext: ${NEXT_STEPS[args.step]}\n`);
  if (!args.out) process.stdout.write(`${result.next}\n`);
}

main().catch((error: unknown) => fail((error as Error).message));
