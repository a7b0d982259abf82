/** Applies pending migrations to DATABASE_URL (the server also does this when it starts). */
import { openStorage } from "@/db";
import { getConfig } from "@/lib/config";

// No top-level await: the package is CommonJS, and tsx refuses it there.
async function main() {
  const config = getConfig();
  const storage = await openStorage(config.database);
  console.log(`Migrations applied (${storage.engine}).`);
  await storage.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
