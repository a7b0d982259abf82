/** Applies pending migrations to DATABASE_URL (the server also does this when it starts). */
import { openStorage } from "@/db";
import { getConfig } from "@/lib/config";

const config = getConfig();
const storage = await openStorage(config.database);
console.log(`Migrations applied (${storage.engine}).`);
await storage.close();
