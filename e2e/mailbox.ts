import fs from "node:fs";
import path from "node:path";
import { mailboxDir, type ServerName } from "./servers";

/**
 * Reads what the e2e servers mailed (see e2e/mailbox-server.ts): the `mailbox` fixture.
 *
 *   const link = await mailbox.linkFor(user.email, { kind: "reset" });   // waits for the mail
 *   await page.goto(link);
 */
export type MailboxMessage = { to: string; subject: string; text: string; html: string; date: string };

type LinkKind = "reset" | "verify";

const LINKS: Record<LinkKind | "any", RegExp> = {
  reset: /https?:\/\/[^\s"'<>]+\/reset-password#token=[A-Za-z0-9_-]+/g,
  verify: /https?:\/\/[^\s"'<>]+\/verify-email#token=[A-Za-z0-9_-]+/g,
  any: /https?:\/\/[^\s"'<>]+\/(?:reset-password|verify-email)#token=[A-Za-z0-9_-]+/g,
};

export type Mailbox = {
  /** Every mail delivered to this address so far, oldest first. */
  messagesTo(email: string): Promise<MailboxMessage[]>;
  /** How many mails this address has received so far. */
  count(email: string): Promise<number>;
  /**
   * Waits until a mail to this address carries a link of that kind (reset or verify; either by
   * default) and returns the newest such link. `after`: ignore the first `after` mails to the
   * address (take it from `count()` before the action that sends a new one).
   */
  linkFor(email: string, options?: { kind?: LinkKind; timeout?: number; after?: number }): Promise<string>;
};

function read(dir: string): MailboxMessage[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names.sort().flatMap((name) => {
    try {
      return [JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as MailboxMessage];
    } catch {
      return [];
    }
  });
}

const isTo = (message: MailboxMessage, email: string) =>
  message.to
    .split(",")
    .map((a) => a.trim())
    .includes(email.trim().toLowerCase());

export function mailboxFor(server: ServerName): Mailbox {
  const dir = mailboxDir(server);
  const messagesTo = async (email: string) => read(dir).filter((m) => isTo(m, email));
  return {
    messagesTo,
    count: async (email) => (await messagesTo(email)).length,
    async linkFor(email, { kind, timeout = 10_000, after = 0 } = {}) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const links = (await messagesTo(email)).slice(after).flatMap((m) => m.text.match(LINKS[kind ?? "any"]) ?? []);
        if (links.length) return links[links.length - 1];
        if (Date.now() > deadline) {
          throw new Error(
            `no ${kind ?? "reset or verify"} link mailed to ${email} within ${timeout} ms (mailbox: ${dir})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
