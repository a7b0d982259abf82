import fs from "node:fs";
import path from "node:path";
import type { OutgoingMail } from "@/lib/mail/templates";

/**
 * Development without SMTP_URL: every mail is written to a git-ignored folder instead of sent
 * (nothing leaves the machine). One JSON file per mail, newest last by name; /dev/outbox lists them.
 */
export function writeToOutbox(dir: string, mail: OutgoingMail & { from: string }, now = Date.now()): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(
    dir,
    `${new Date(now).toISOString().replace(/[:.]/g, "-")}-${mail.kind}-${Math.random().toString(36).slice(2, 8)}.json`,
  );
  fs.writeFileSync(file, JSON.stringify({ ...mail, date: new Date(now).toISOString() }, null, 2), { mode: 0o600 });
  return file;
}

export type OutboxEntry = OutgoingMail & { from: string; date: string; file: string };

/** The newest mails first (at most `limit`). */
export function readOutbox(dir: string, limit = 50): OutboxEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .slice(0, limit)
    .flatMap((name) => {
      try {
        return [{ ...(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as OutboxEntry), file: name }];
      } catch {
        return [];
      }
    });
}
