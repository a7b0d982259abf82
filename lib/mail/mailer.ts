import nodemailer from "nodemailer";
import { writeToOutbox } from "@/lib/mail/outbox";
import type { OutgoingMail } from "@/lib/mail/templates";

type Log = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

/** "a***@example.com": enough to tell mails apart in a log, never the full address. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf("@");
  return at <= 0 ? "***" : `${address[0]}***${address.slice(at)}`;
}

const RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

/**
 * Sends mail off the request path: `send` returns at once, delivery happens on the event loop
 * with retries (1 s, 5 s, 30 s), and a final failure is logged (kind and a masked address, never
 * the body: it holds the link's token). With SMTP_URL it speaks SMTP (nodemailer); without it,
 * mails go to the development outbox.
 */
export function createMailer(options: { smtpUrl: string | undefined; from: string; outboxDir: string; log: Log }) {
  const { smtpUrl, from, outboxDir, log } = options;
  const transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  let pending = 0;

  async function deliver(mail: OutgoingMail) {
    if (!transport) {
      const file = writeToOutbox(outboxDir, { ...mail, from });
      log.info(
        { kind: mail.kind, to: maskAddress(mail.to), outbox: file },
        "mail written to the development outbox (see /dev/outbox)",
      );
      return;
    }
    await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    log.info({ kind: mail.kind, to: maskAddress(mail.to) }, "mail sent");
  }

  async function deliverWithRetries(mail: OutgoingMail) {
    for (let attempt = 0; ; attempt++) {
      try {
        await deliver(mail);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code ?? "error";
        if (attempt >= RETRY_DELAYS_MS.length) {
          log.error({ kind: mail.kind, to: maskAddress(mail.to), code }, "mail could not be sent; giving up");
          return;
        }
        log.warn(
          { kind: mail.kind, to: maskAddress(mail.to), code, attempt: attempt + 1 },
          "mail not sent; will retry",
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
  }

  return {
    send(mail: OutgoingMail) {
      pending++;
      // setImmediate: not even the transport's set-up runs inside the request that asked.
      setImmediate(() => void deliverWithRetries(mail).finally(() => pending--));
    },
    /** For tests and shutdown: resolves when nothing is queued. */
    async idle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    close: () => transport?.close(),
  };
}

export type AppMailer = ReturnType<typeof createMailer>;
