"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { Spinner, focusFirstError } from "./credentials-form";
import { NewPasswordFields } from "./field";
import { StatusPanel } from "./status-panel";
import { Notice, buttonClasses } from "./ui";
import { useLinkToken } from "./use-link-token";
import type { LinkTokenStatus, LinkTokenStore } from "@/lib/client/link-token";
import { resetPassword } from "@/lib/client/recovery-calls";

type Errors = { newPassword?: string; confirm?: string; form?: string };

/**
 * Sets a new password from an emailed reset link. The token comes from the URL fragment and leaves
 * the address bar before anything else happens; it is only ever sent in the body of the POST.
 * The server ends every session of the account, this browser's included.
 */
export function ResetPasswordForm({ minLength }: { minLength: number }) {
  const { status, generation, store } = useLinkToken();
  return <ResetPasswordStates key={generation} status={status} store={store} minLength={minLength} />;
}

function ResetPasswordStates({
  status,
  store,
  minLength,
}: {
  status: LinkTokenStatus;
  store: LinkTokenStore;
  minLength: number;
}) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [outcome, setOutcome] = useState<"done" | "invalid" | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const newPassword = String(form.get("newPassword") ?? "");
    const confirm = String(form.get("confirm") ?? "");
    const local: Errors = {};
    if (!newPassword) local.newPassword = "Choose a new password.";
    else if (newPassword.length < minLength) local.newPassword = `Use at least ${minLength} characters.`;
    else if (confirm !== newPassword) local.confirm = "The two passwords don't match.";
    if (Object.keys(local).length) {
      setErrors(local);
      focusFirstError(formEl, Object.keys(local));
      return;
    }
    const token = store.token();
    if (!token) return setOutcome("invalid");
    setErrors({});
    setPending(true);
    const result = await resetPassword(token, newPassword);
    setPending(false);
    if (result.ok) {
      store.discard();
      setOutcome("done");
      // Every session ended, this one too: the header and the provider follow the server.
      router.refresh();
    } else if (result.reason === "invalid_token") {
      store.discard();
      setOutcome("invalid");
    } else if (result.reason === "weak_password") {
      setErrors({ newPassword: result.message });
      if (formRef.current) focusFirstError(formRef.current, ["newPassword"]);
    } else if (result.reason === "network") {
      setErrors({ form: "Could not reach the server. Check your connection and try again." });
    } else {
      setErrors({ form: result.reason === "rate_limited" ? "Too many requests. Try again later." : result.message });
    }
  }

  if (outcome === "done") {
    return (
      <StatusPanel tone="success" title="Password changed" headingLevel={1}>
        <p>Your new password is set. For your safety we signed you out on every device, this one included.</p>
        <p>Sign in again with your new password.</p>
        <p className="pt-2">
          <Link href="/login" className={buttonClasses.primary}>
            Sign in
          </Link>
        </p>
      </StatusPanel>
    );
  }

  if (outcome === "invalid" || status === "malformed") {
    return (
      <StatusPanel tone="warning" title="This link doesn't work" headingLevel={1}>
        <p>
          The reset link is invalid, already used or expired. Each link works once, for a limited time, and only the
          newest one you asked for.
        </p>
        <p className="pt-2">
          <Link href="/forgot-password" className={buttonClasses.primary}>
            Ask for a new link
          </Link>
        </p>
      </StatusPanel>
    );
  }

  if (status === "missing") {
    return (
      <StatusPanel tone="warning" title="This link is incomplete" headingLevel={1}>
        <p>
          This page needs the link from the password reset email. Open the link from the email again (copy all of it if
          you paste it), or ask for a new one.
        </p>
        <p className="pt-2">
          <Link href="/forgot-password" className={buttonClasses.primary}>
            Ask for a reset link
          </Link>
        </p>
      </StatusPanel>
    );
  }

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Set a new password</h1>
      <p className="mb-6 mt-2 text-sm text-slate-700">
        Choose a new password for your account. Afterwards you sign in again on every device.
      </p>
      {status === "reading" ? (
        <p role="status" className="flex items-center gap-2 text-sm text-slate-700">
          <Spinner />
          Reading your link…
        </p>
      ) : (
        <form ref={formRef} onSubmit={onSubmit} method="post" noValidate className="space-y-4" aria-busy={pending}>
          <NewPasswordFields minLength={minLength} errors={errors} />
          {errors.form && <Notice tone="error">{errors.form}</Notice>}
          <button type="submit" disabled={pending} className={`${buttonClasses.primary} w-full py-2.5`}>
            {pending && <Spinner />}
            {pending ? "Setting password…" : "Set new password"}
          </button>
        </form>
      )}
    </>
  );
}
