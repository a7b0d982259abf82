import nodemailer from "nodemailer";
import { mailSealContext, type MailPayload } from "@/lib/auth/mail";
import type { Sealer } from "@/lib/auth/sealed";
import { isStorageUnavailable, type ClaimedMail, type Store } from "@/lib/auth/store";
import { writeToOutbox } from "@/lib/mail/outbox";
import { renderMail, type OutgoingMail } from "@/lib/mail/templates";

type Log = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

/** Where rendered mail goes: SMTP (nodemailer), or the development outbox folder. */
export type MailTransport = { send(mail: OutgoingMail): Promise<void>; close(): void };

/** "a***@example.com": enough to tell mails apart in a log, never the full address. */
function maskAddress(address: string): string {
  const at = address.lastIndexOf("@");
  return at <= 0 ? "***" : `${address[0]}***${address.slice(at)}`;
}

/** SMTP_URL. Timeouts well inside a claim's lease, so a hung server cannot make a mail go twice. */
export function smtpTransport(smtpUrl: string, from: string): MailTransport {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transport.close(),
  };
}

/** Development without SMTP_URL: every mail becomes a file (nothing leaves the machine). */
export function outboxTransport(dir: string, from: string, log: Log): MailTransport {
  return {
    async send(mail) {
      const file = writeToOutbox(dir, { ...mail, from });
      log.info(
        { kind: mail.kind, to: maskAddress(mail.to), outbox: file },
        "mail written to the development outbox (see /dev/outbox)",
      );
    },
    close: () => undefined,
  };
}

/** After the n-th failed attempt the mail is due again this much later; then it is given up. */
export const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000];
/** How long a claim keeps other instances off a mail: far longer than one SMTP exchange. */
const MAIL_LEASE_MS = 60_000;
const BATCH = 20;

/**
 * Sends the mail queue (lib/auth/mail.ts) from this instance: claims due mails (each goes to one
 * instance), opens, renders, sends, marks them sent; a failure is retried later (RETRY_DELAYS_MS),
 * on any instance. It runs when told a mail was queued here (`nudge`) and polls for the rest
 * (retries, mail queued by an instance that died before sending).
 *
 * Delivery is at least once: an instance that dies after the SMTP server took a mail and before
 * it marked it sent leaves it to be sent again when its lease ends. Otherwise once.
 */
export function createMailSender(options: {
  store: Pick<Store, "claimMail" | "mailSent" | "mailFailed">;
  sealer: Sealer;
  transport: MailTransport;
  /** APP_NAME: how every mail is signed. */
  appName: string;
  log: Log;
  now?: () => number;
  pollMs?: number;
}) {
  const { store, sealer, transport, appName, log } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 2_000;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function sendOne(claimed: ClaimedMail) {
    const opened = sealer.open(claimed.payload, mailSealContext(claimed.id));
    if (opened === null) {
      // Sealed by a key no longer configured, or tampered with: it can never be sent.
      log.error(
        { kind: claimed.kind, mail: claimed.id },
        "queued mail cannot be opened (AUTH_SECRETS_KEY changed?); giving up",
      );
      await store.mailFailed({ id: claimed.id, now: now(), retryAt: null, error: "unreadable" });
      return;
    }
    const { to, intent } = JSON.parse(opened) as MailPayload;
    try {
      await transport.send(renderMail(to, intent, appName));
    } catch (error) {
      const code = String((error as { code?: string }).code ?? "error").slice(0, 64);
      const delay = RETRY_DELAYS_MS[claimed.attempts - 1];
      const at = now();
      await store.mailFailed({
        id: claimed.id,
        now: at,
        retryAt: delay === undefined ? null : at + delay,
        error: code,
      });
      if (delay === undefined)
        log.error({ kind: claimed.kind, to: maskAddress(to), code }, "mail could not be sent; giving up");
      else
        log.warn(
          { kind: claimed.kind, to: maskAddress(to), code, attempt: claimed.attempts },
          "mail not sent; will retry",
        );
      return;
    }
    await store.mailSent({ id: claimed.id, now: now() });
    log.info({ kind: claimed.kind, to: maskAddress(to) }, "mail sent");
  }

  /** Claims and sends until nothing is due. */
  async function drain() {
    do {
      again = false;
      for (;;) {
        const batch = await store.claimMail({ now: now(), leaseMs: MAIL_LEASE_MS, limit: BATCH });
        for (const mail of batch) await sendOne(mail);
        if (batch.length < BATCH) break;
      }
    } while (again);
  }

  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((error: unknown) => {
        // The database is down or a mail's row vanished: the next poll tries again.
        if (isStorageUnavailable(error)) log.warn({}, "mail queue unavailable; will retry");
        else log.error({ err: error }, "mail queue failed; will retry");
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    /** A mail was queued in this process: send it now rather than at the next poll. */
    nudge() {
      setImmediate(() => void run());
    },
    /** Polls every `pollMs` (jittered, unref'd: it never keeps the process alive). */
    start() {
      const schedule = () => {
        if (stopped) return;
        timer = setTimeout(() => void run().finally(schedule), pollMs * (0.75 + Math.random() * 0.5));
        timer.unref();
      };
      schedule();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      transport.close();
    },
    /** Sends what is due now and waits for it (tests, shutdown). */
    async flush() {
      await run();
      if (running) await running;
    },
  };
}

export type MailSender = ReturnType<typeof createMailSender>;
