import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";

/**
 * proxy.ts runs on every request without the database. The suite's production build (made before
 * the servers start) traces what the proxy's bundle needs: no storage engine, driver or migration
 * may be among it. The static rule is in .dependency-cruiser.cjs (proxy-reaches-no-database); this
 * checks what Next actually bundled.
 */
test("the proxy's bundle holds no database code", () => {
  const trace = path.join(process.cwd(), ".next", "server", "middleware.js.nft.json");
  const { files } = JSON.parse(fs.readFileSync(trace, "utf8")) as { files: string[] };
  expect(files.length).toBeGreaterThan(0);
  const database = files.filter((file) =>
    /node_modules\/(better-sqlite3|pg|pg-[a-z-]+|drizzle-orm|rate-limiter-flexible|nodemailer)\/|\/db\/(sqlite|postgres)\//.test(
      file,
    ),
  );
  expect(database).toEqual([]);
});
