/**
 * The e2e servers' mail sink: a real SMTP server (smtp-server, by nodemailer's authors) on
 * loopback, inside e2e/start-server.ts's own process. The app under test sends to it over SMTP as
 * it would in production (SMTP_URL); each message is parsed (mailparser) and written as one JSON
 * file into the profile's mailbox directory, which the `mailbox` fixture (e2e/mailbox.ts) reads.
 */
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { MailboxMessage } from "./mailbox";

export async function startMailboxServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let seq = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    // Plain SMTP on loopback: no TLS upgrade to negotiate, no login.
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const message: MailboxMessage = {
            // The envelope: who the mail was really delivered to.
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(", "),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            date: new Date().toISOString(),
          };
          // Names sort in arrival order; written whole, then renamed, so a reader never sees half a file.
          const name = `${Date.now()}-${String(seq++).padStart(6, "0")}`;
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(path.join(dir, `${name}.tmp`), JSON.stringify(message, null, 2));
          fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, `${name}.json`));
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
