"use client";

import { useRouter } from "next/navigation";
import { goAfterSignIn } from "@/lib/client/after-sign-in";
import { useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { Notice, TextLink, buttonClasses } from "./ui";
import { verifySecondStep } from "@/lib/client/sign-in-calls";

type Mode = "code" | "recovery";

/** Answers that end the pending sign-in: the person starts again at the sign-in page, told why. */
const BACK_TO_SIGN_IN: Record<string, string> = {
  sign_in_expired: "reason=sign_in_expired",
  too_many_attempts: "reason=too_many_attempts",
  account_disabled: "error=account_disabled",
};

/** "Verification code" from the authenticator app, or "Use a recovery code" when the phone is lost. */
export function TwoFactorForm({ next }: { next: string }) {
  const router = useRouter();
  const { acceptState } = useAuth();
  const [mode, setMode] = useState<Mode>("code");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const typed = String(new FormData(form).get(mode) ?? "").trim();
    const input = form.querySelector<HTMLInputElement>(`input[name="${mode}"]`);
    if (mode === "code" && !/^\d{6}$/.test(typed.replace(/\s/g, ""))) {
      setError("Enter the 6-digit code from your authenticator app.");
      input?.focus();
      return;
    }
    if (mode === "recovery" && !typed) {
      setError("Enter one of your recovery codes.");
      input?.focus();
      return;
    }
    setError(null);
    setPending(true);
    const outcome = await verifySecondStep(
      mode === "code" ? { code: typed.replace(/\s/g, "") } : { recoveryCode: typed },
    );
    if (outcome.ok) {
      acceptState(outcome.state);
      // A native app's authorization request needs a full navigation (lib/client/after-sign-in.ts).
      goAfterSignIn(router, next);
      return;
    }
    const back = outcome.code && BACK_TO_SIGN_IN[outcome.code];
    if (back) {
      router.replace(`/login?next=${encodeURIComponent(next)}&${back}`);
      return;
    }
    setPending(false);
    setError(outcome.message);
    input?.select();
  }

  function switchTo(m: Mode) {
    setMode(m);
    setError(null);
  }

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Two-step verification</h1>
      <p className="mt-2 text-sm text-slate-700">
        {mode === "code"
          ? "Open your authenticator app and enter the 6-digit code it shows for this account."
          : "Lost your phone? Enter one of the recovery codes you saved when you turned two-step verification on. Each works once."}
      </p>
      <form key={mode} onSubmit={onSubmit} method="post" noValidate className="mt-6 space-y-4" aria-busy={pending}>
        {mode === "code" ? (
          <Field
            label="Verification code"
            name="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            error={error}
            autoFocus
          />
        ) : (
          <Field
            label="Recovery code"
            name="recovery"
            type="text"
            autoComplete="off"
            spellCheck={false}
            error={error}
            autoFocus
          />
        )}
        <button type="submit" disabled={pending} className={`${buttonClasses.primary} w-full py-2.5`}>
          {pending && <Spinner />}
          {pending ? "Verifying…" : "Verify"}
        </button>
      </form>
      <div className="mt-5 space-y-2 text-sm">
        <p>
          <button
            type="button"
            onClick={() => switchTo(mode === "code" ? "recovery" : "code")}
            className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900"
          >
            {mode === "code" ? "Use a recovery code" : "Use a code from your app"}
          </button>
        </p>
        <p className="text-slate-700">
          Not you, or want to start again? <TextLink href={`/login?next=${encodeURIComponent(next)}`}>Sign in</TextLink>
        </p>
      </div>
      {/* Announced for screen readers when the mode changes. */}
      <Notice tone="info" className="sr-only">
        {mode === "code" ? "Enter the code from your authenticator app." : "Enter a recovery code."}
      </Notice>
    </>
  );
}
