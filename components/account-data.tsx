"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { useStepUp } from "./step-up";
import { Card, Notice, buttonClasses } from "./ui";
import { EXPORT_URL, accountCalls } from "@/lib/client/account-calls";
import { failureMessage, readAnswer } from "@/lib/client/api-call";

/**
 * "Download your data": a plain link to the JSON attachment. The access token is renewed first
 * when it is about to expire, so the download never turns into a 401 saved as a file.
 */
export function DownloadYourData() {
  const { accessExpiresAt, now, refresh } = useAuth();

  async function onClick(event: React.MouseEvent<HTMLAnchorElement>) {
    if (accessExpiresAt === null || accessExpiresAt - now() > 5_000) return;
    event.preventDefault();
    const link = event.currentTarget;
    await refresh();
    link.click();
  }

  return (
    <Card
      title="Download your data"
      titleId="download-data"
      description="Everything we hold about you, as a JSON file: your account, two-step and passkey settings (never a secret), connected accounts, devices and security events."
    >
      <a href={EXPORT_URL} download onClick={onClick} className={buttonClasses.secondary}>
        Download your data
      </a>
    </Card>
  );
}

/** "Delete account": the address typed to confirm, a recent sign-in, then signed out on a page that says so. */
export function DeleteAccount({ email }: { email: string }) {
  const router = useRouter();
  const { withStepUp } = useStepUp();
  const { signOut } = useAuth();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const typed = String(new FormData(form).get("confirmEmail") ?? "").trim();
    const input = form.querySelector<HTMLInputElement>('input[name="confirmEmail"]');
    if (typed.toLowerCase() !== email.toLowerCase()) {
      setError("Type your email address exactly as shown to confirm.");
      input?.focus();
      return;
    }
    setError(null);
    setPending(true);
    const answer = await readAnswer(await withStepUp(() => accountCalls.deleteAccount(typed)));
    if (answer.res.ok) {
      // The server cleared both cookies; this tells the other tabs and forgets the state here.
      await signOut();
      router.replace("/account-deleted");
      return;
    }
    setPending(false);
    if (answer.body.error !== "reauthentication_required")
      setError(answer.body.fields?.email ?? failureMessage(answer, "Could not delete your account. Try again."));
  }

  return (
    <Card
      title="Delete account"
      titleId="delete-account"
      description="Deletes your account, passkeys, two-step settings, connected accounts and every session. This can't be undone."
      className="border-red-200"
    >
      {open ? (
        <form onSubmit={onSubmit} noValidate className="max-w-md space-y-4" aria-busy={pending}>
          <Notice tone="warning">
            Download your data first if you want to keep a copy. After this, nobody can sign in to this account.
          </Notice>
          <Field
            label={`Type ${email} to confirm`}
            name="confirmEmail"
            type="email"
            autoComplete="off"
            spellCheck={false}
            error={error}
            autoFocus
          />
          <div className="flex flex-wrap gap-3">
            <button type="submit" className={buttonClasses.danger} disabled={pending}>
              {pending && <Spinner />}
              {pending ? "Deleting…" : "Delete my account"}
            </button>
            <button
              type="button"
              className={buttonClasses.secondary}
              onClick={() => {
                setOpen(false);
                setError(null);
              }}
              disabled={pending}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className={buttonClasses.danger} onClick={() => setOpen(true)}>
          Delete account
        </button>
      )}
    </Card>
  );
}
