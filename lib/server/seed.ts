import { randomBytes, randomUUID } from "node:crypto";
import type { Store } from "@/lib/auth/store";
import { provisionUser } from "@/lib/auth/users";

/**
 * Development only: on an empty database, create a demo user and an admin with random passwords
 * and print them once. Never runs in production.
 */
export async function seedDevelopmentAccounts(store: Store, now = Date.now()) {
  if ((await store.userCount()) > 0) return null;
  const accounts = [
    {
      email: "demo@example.com",
      name: "Demo User",
      role: "user" as const,
      password: randomBytes(12).toString("base64url"),
    },
    {
      email: "admin@example.com",
      name: "Admin",
      role: "admin" as const,
      password: randomBytes(12).toString("base64url"),
    },
  ];
  // Verified: nobody would receive a link for these example addresses.
  for (const a of accounts) await provisionUser(store, { ...a, emailVerified: true }, { id: randomUUID(), now });
  return accounts;
}

export function printSeededAccounts(accounts: { email: string; password: string; role: string }[], appUrl: string) {
  const lines = [
    "Development accounts created (shown once; delete .data/app.db to start over):",
    ...accounts.map((a) => `  ${a.role.padEnd(5)}  ${a.email}  password: ${a.password}`),
    `Sign in at ${appUrl}/login`,
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const bar = "─".repeat(width + 2);
  console.log(`\n┌${bar}┐\n${lines.map((l) => `│ ${l.padEnd(width)} │`).join("\n")}\n└${bar}┘\n`);
}
