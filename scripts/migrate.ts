/** Applies pending migrations to DATABASE_URL (the server also does this when it starts). */
import { openDatabase, migrateDatabase } from "@/db/sqlite/client";
import { getConfig } from "@/lib/config";

const config = getConfig();
const db = openDatabase(config.databasePath);
migrateDatabase(db);
console.log(`Migrations applied to ${config.databasePath}`);
db.$client.close();
