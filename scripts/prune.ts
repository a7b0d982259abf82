/** `npm run db:prune`: one pruning pass over DATABASE_URL, for cron (the server also prunes). */
import { openStorage } from "@/db";
import { pruneOnce } from "@/lib/auth/pruning";
import { getConfig } from "@/lib/config";

// No top-level await: the package is CommonJS, and tsx refuses it there.
async function main() {
  const config = getConfig();
  const storage = await openStorage(config.database);
  try {
    const counts = await pruneOnce(storage.store, { now: Date.now(), ...config });
    console.log(counts ? `Pruned ${JSON.stringify(counts)}` : "Another instance is pruning right now; nothing done.");
  } finally {
    await storage.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
