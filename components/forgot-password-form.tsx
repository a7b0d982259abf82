"use client";

import { useId, useState } from "react";
import { Spinner, focusFirstError } from "./credentials-form";
import { Field } from "./field";
import { StatusPanel } from "./status-panel";
import { Notice, TextLink, buttonClasses } from "./ui";
import { durationInWords, tooManyRequests } from "@/lib/client/durations";
import { requestPasswordReset } from "@/lib/client/recovery-calls";

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Asks for a reset link. The confirmation is the same whether or not the address has an account
 * (the server answers the same too), so this page never tells anyone which addresses exist.
 */
export function ForgotPasswordForm({ linkLifetimeSeconds }: { linkLifetimeSeconds: number }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<{ email?: string; form?: string }>({});
  const [pending, setPending] = useState(false);
  const errorId = useId();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const value = String(new FormData(formEl).get("email") ?? "").trim();
    const emailError = !value
      ? "Enter your email address."
      : EMAIL_SHAPE.test(value)
        ? undefined
        : "Enter a valid email address, like name@example.com.";
    if (emailError) {
      setErrors({ email: emailError });
      focusFirstError(formEl, ["email"]);
      return;
    }
    setErrors({});
    setPending(true);
    const outcome = await requestPasswordReset(value);
    setPending(false);
    if (outcome.ok) {
      setEmail(value);
      setSentTo(value);
      return;
    }
    if (outcome.reason === "rate_limited") setErrors({ form: tooManyRequests(outcome.retryAfter) });
    else if (outcome.reason === "network")
      setErrors({ form: "Could not reach the server. Check your connection and try again." });
    else if (outcome.fields.email) {
      setErrors({ email: outcome.fields.email });
      focusFirstError(formEl, ["email"]);
    } else setErrors({ form: outcome.message });
  }

  if (sentTo) {
    return (
      <StatusPanel tone="info" title="Check your email" headingLevel={1}>
        <p>
          If an account exists for that address, we sent a link to{" "}
          <strong className="break-words font-semibold text-slate-900">{sentTo}</strong> to set a new password.
        </p>
        <p>
          The link works once, for {durationInWords(linkLifetimeSeconds)}. Nothing arrived after a few minutes? Check
          your spam folder, or{" "}
          <button
            type="button"
            onClick={() => setSentTo(null)}
            className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900"
          >
            send another link
          </button>
          .
        </p>
        <p className="pt-2">
          <TextLink href="/login">Back to sign in</TextLink>
        </p>
      </StatusPanel>
    );
  }

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Reset your password</h1>
      <p className="mb-6 mt-2 text-sm text-slate-700">
        Enter the email address of your account. We&apos;ll send you a link to set a new password.
      </p>
      <form
        onSubmit={onSubmit}
        // Submitted before hydration, a form without a method would GET its fields into the URL.
        method="post"
        noValidate
        className="space-y-4"
        aria-describedby={errors.form ? errorId : undefined}
        aria-busy={pending}
      >
        <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={email} error={errors.email} />
        {errors.form && (
          <Notice tone="error" id={errorId}>
            {errors.form}
          </Notice>
        )}
        <button type="submit" disabled={pending} className={`${buttonClasses.primary} w-full py-2.5`}>
          {pending && <Spinner />}
          {pending ? "Sending…" : "Send reset link"}
        </button>
      </form>
      <p className="mt-6 text-sm text-slate-700">
        Remembered it? <TextLink href="/login">Back to sign in</TextLink>
      </p>
    </>
  );
}
