/**
 * A child process for tests/mail-queue.test.ts: an app instance that asks for a password reset
 * and is killed (SIGKILL) right after the reset link's mail was committed to the queue, before any
 * sender could touch it. Reads DATABASE (a DatabaseConfig as JSON), AUTH_SECRETS_KEY and EMAIL.
 */
import { openStorage, type DatabaseConfig } from "@/db";
import { createAuth } from "@/lib/auth";
import { systemClock, systemRandom } from "@/lib/auth/clock";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { createSealer, parseSecretsKeys } from "@/lib/auth/sealed";
import { parseConfig } from "@/lib/config";

async function main() {
  const storage = await openStorage(JSON.parse(process.env.DATABASE!) as DatabaseConfig);
  const auth = createAuth({
    store: storage.store,
    keys: await loadKeySet(await generateKeySetJson("ES256")),
    config: parseConfig({ APP_URL: "http://localhost:3000" }),
    sealer: createSealer(parseSecretsKeys(process.env.AUTH_SECRETS_KEY!)),
    // The commit is done; the instance dies before its sender runs.
    onMailQueued: () => process.kill(process.pid, "SIGKILL"),
    clock: systemClock,
    random: systemRandom,
  });
  await auth.requestPasswordReset(process.env.EMAIL!, { ip: "127.0.0.1", userAgent: "crash-test" });
  // Not reached: the mail was queued, so onMailQueued killed the process.
  process.exit(3);
}

void main();
