import { notFound } from "next/navigation";
import { connection } from "next/server";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, PageHeading } from "@/components/ui";
import { readOutbox } from "@/lib/mail/outbox";
import { getRuntime } from "@/lib/server/runtime";

export const metadata = { title: "Development outbox" };

const LINK = /https?:\/\/[^\s<>"']+/g;

/**
 * Development only (`next dev`): the `.dev.tsx` extension is a page extension only when
 * NODE_ENV is not production (next.config.ts), so this route does not exist in a production
 * build. Lists the mails written to MAIL_OUTBOX_DIR when SMTP_URL is not set, newest first.
 */
export default async function DevOutboxPage() {
  if (process.env.NODE_ENV === "production") notFound(); // belt and braces: the build never has it
  await connection();
  const { config } = await getRuntime();
  const mails = readOutbox(config.mail.outboxDir);
  return (
    <div>
      <PageHeading
        title="Development outbox"
        description={
          <>
            Mails the app would have sent, written to <code className="text-sm">{config.mail.outboxDir}</code>. Only
            under <code className="text-sm">next dev</code>; nothing here leaves this machine.
          </>
        }
      />
      {config.mail.smtpUrl && (
        <p role="status" className="mb-5 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
          SMTP_URL is set: new mails go to the SMTP server, not here.
        </p>
      )}
      {mails.length === 0 ? (
        <Card>
          <p className="text-slate-700">
            No mail yet. Ask for a password reset or register an account, then reload this page.
          </p>
        </Card>
      ) : (
        <ol className="space-y-4" aria-label="Mails, newest first">
          {mails.map((mail) => {
            const links = Array.from(new Set(mail.text.match(LINK) ?? []));
            return (
              <li key={mail.file}>
                <Card>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <h2 className="text-lg font-semibold text-slate-900">{mail.subject}</h2>
                    <Badge tone="indigo">{mail.kind.replace(/_/g, " ")}</Badge>
                  </div>
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                    <dt className="text-slate-600">Date</dt>
                    <dd className="text-slate-900">
                      <LocalTime ms={Date.parse(mail.date)} withRelative />
                    </dd>
                    <dt className="text-slate-600">To</dt>
                    <dd className="break-all text-slate-900">{mail.to}</dd>
                  </dl>
                  {links.length > 0 && (
                    <ul className="mt-3 space-y-1 text-sm">
                      {links.map((href) => (
                        <li key={href} className="break-all">
                          {/* A full page load, as from a mail client: the page reads the fragment. */}
                          <a
                            href={href}
                            className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900"
                          >
                            {href}
                          </a>
                        </li>
                      ))}
                    </ul>
                  )}
                  <details className="mt-3 text-sm">
                    <summary className="cursor-pointer text-slate-700">Plain text</summary>
                    <pre className="mt-2 whitespace-pre-wrap break-words rounded-md bg-slate-50 p-3 text-slate-800">
                      {mail.text}
                    </pre>
                  </details>
                </Card>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
