"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useAuth } from "./auth-provider";
import { durationInWords } from "@/lib/client/durations";
import { formErrors } from "@/lib/client/field-errors";
import type { AuthenticatedSessionState } from "@/lib/client/types";
import { Field } from "./field";
import { StatusPanel } from "./status-panel";
import { Notice, TextLink, buttonClasses } from "./ui";
import { goAfterSignIn } from "@/lib/client/after-sign-in";

type Mode = "login" | "register";
type Errors = { form?: string; email?: string; password?: string; name?: string };

/**
 * The sign-in and sign-up form: labelled inputs, inline errors, a pending state, a safe `next`.
 * With EMAIL_VERIFICATION=required, registering answers "check your email" (no session) and
 * signing in to an unconfirmed account says so.
 */
export function CredentialsForm({
  mode,
  next,
  minPasswordLength = 8,
  verificationLinkLifetimeSeconds,
  title,
  footer,
}: {
  mode: Mode;
  next: string;
  minPasswordLength?: number;
  /** How long a verification link works (registration's "check your email" says it). */
  verificationLinkLifetimeSeconds?: number;
  /** The card's heading and what follows the form: "Check your email" replaces both. */
  title?: string;
  footer?: React.ReactNode;
}) {
  const router = useRouter();
  const { acceptState } = useAuth();
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const [unverified, setUnverified] = useState(false);
  const [checkEmail, setCheckEmail] = useState<string | null>(null);
  const errorId = useId();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const local: Errors = {};
    if (!email) local.email = "Enter your email address.";
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      local.email = "Enter a valid email address, like name@example.com.";
    if (!password) local.password = mode === "login" ? "Enter your password." : "Choose a password.";
    else if (mode === "register" && password.length < minPasswordLength)
      local.password = `Use at least ${minPasswordLength} characters.`;
    if (Object.keys(local).length) {
      setErrors(local);
      focusFirstError(event.currentTarget, Object.keys(local));
      return;
    }
    const body: Record<string, string> = { email, password };
    if (mode === "register" && form.get("name")) body.name = String(form.get("name"));
    setPending(true);
    setErrors({});
    setUnverified(false);
    try {
      const res = await fetch(`/api/auth/${mode}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await res.json().catch(() => ({}));
      // Two-step on: the password was right, no session yet; the second step has a page of its own.
      if (mode === "login" && res.status === 202 && data.twoFactorRequired) {
        router.push(`/two-factor?next=${encodeURIComponent(next)}`);
        return;
      }
      if (mode === "login" && res.status === 403 && data.error === "email_unverified") {
        setUnverified(true);
        setPending(false);
        return;
      }
      // Said only after the right password (a wrong one stays 401), so it tells no stranger anything.
      if (mode === "login" && res.status === 403 && data.error === "account_disabled") {
        setErrors({ form: "This account is disabled. Ask an administrator to enable it again, then sign in." });
        setPending(false);
        return;
      }
      // EMAIL_VERIFICATION=required: the same answer for a new and a taken address, and no session.
      if (mode === "register" && res.status === 202 && data.verificationRequired) {
        setCheckEmail(email);
        setPending(false);
        return;
      }
      if (!res.ok) {
        const errs = formErrors(data, ["email", "password", "name"] as const);
        setErrors(errs);
        setPending(false);
        focusFirstError(formEl, Object.keys(errs));
        return;
      }
      acceptState(data as AuthenticatedSessionState);
      goAfterSignIn(router, next);
    } catch {
      setErrors({ form: "Could not reach the server. Check your connection and try again." });
      setPending(false);
    }
  }

  if (checkEmail) {
    return (
      <StatusPanel tone="info" title="Check your email" headingLevel={title ? 1 : 2}>
        <p>
          We sent a link to <strong className="break-words font-semibold text-slate-900">{checkEmail}</strong>. Open it
          to confirm your address, then sign in.
          {verificationLinkLifetimeSeconds !== undefined &&
            ` The link works once, for ${durationInWords(verificationLinkLifetimeSeconds)}.`}
        </p>
        <p>Nothing arrived? Check your spam folder, or register again with the same address for a new link.</p>
      </StatusPanel>
    );
  }

  const submitLabel = mode === "login" ? "Sign in" : "Create account";
  return (
    <>
      {title && <h1 className="mb-6 text-2xl font-semibold tracking-tight">{title}</h1>}
      <form
        onSubmit={onSubmit}
        // Submitted before hydration, a form without a method would GET its fields into the URL.
        method="post"
        noValidate
        className="space-y-4"
        aria-describedby={errors.form ? errorId : undefined}
        aria-busy={pending}
      >
        {mode === "register" && (
          <Field
            label="Name (optional)"
            name="name"
            type="text"
            autoComplete="name"
            required={false}
            error={errors.name}
          />
        )}
        <Field
          label="Email"
          name="email"
          type="email"
          // "webauthn": the browser offers saved passkeys in this field's suggestions (conditional UI).
          autoComplete={mode === "login" ? "username webauthn" : "email"}
          error={errors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === "login" ? "current-password" : "new-password"}
          hint={mode === "register" ? `At least ${minPasswordLength} characters.` : undefined}
          minLength={mode === "register" ? minPasswordLength : undefined}
          error={errors.password}
        />
        {errors.form && (
          <Notice tone="error" id={errorId}>
            {errors.form}
          </Notice>
        )}
        {unverified && (
          <Notice tone="warning">
            <p className="font-semibold">Confirm your email address first.</p>
            <p className="mt-1">
              Open the link we sent you when you registered, then sign in. No mail, or the link expired?{" "}
              <TextLink href="/register">Register again</TextLink> with the same address and we&apos;ll send a new link.
            </p>
          </Notice>
        )}
        <button type="submit" disabled={pending} className={`${buttonClasses.primary} w-full py-2.5`}>
          {pending && <Spinner />}
          {pending ? (mode === "login" ? "Signing in…" : "Creating account…") : submitLabel}
        </button>
      </form>
      {footer}
    </>
  );
}

/** Moves focus to the first field with an error, so keyboard and screen-reader users land on it. */
export function focusFirstError(form: HTMLFormElement, fields: string[]) {
  const first = Array.from(form.elements).find(
    (el): el is HTMLInputElement => el instanceof HTMLInputElement && fields.includes(el.name),
  );
  first?.focus();
}

export function Spinner() {
  return (
    <span
      aria-hidden="true"
      className="size-4 animate-spin rounded-full border-2 border-current border-r-transparent"
    />
  );
}
