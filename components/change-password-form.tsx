"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useAuth } from "./auth-provider";
import { formErrors } from "@/lib/client/field-errors";
import type { AuthenticatedSessionState } from "@/lib/client/types";
import { Spinner, focusFirstError } from "./credentials-form";
import { Field, NewPasswordFields } from "./field";
import { Notice, buttonClasses } from "./ui";

type Errors = { currentPassword?: string; newPassword?: string; confirm?: string; form?: string };

/** Changes the password: every other device is signed out, this one stays signed in. */
export function ChangePasswordForm({ minLength, email }: { minLength: number; email: string }) {
  const router = useRouter();
  const { authFetch, acceptState } = useAuth();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    const confirm = String(form.get("confirm") ?? "");
    const local: Errors = {};
    if (!currentPassword) local.currentPassword = "Enter your current password.";
    if (newPassword.length < minLength) local.newPassword = `Use at least ${minLength} characters.`;
    else if (newPassword === currentPassword) local.newPassword = "Choose a password different from the current one.";
    if (!local.newPassword && confirm !== newPassword) local.confirm = "The two new passwords don't match.";
    setDone(null);
    if (Object.keys(local).length) {
      setErrors(local);
      focusFirstError(event.currentTarget, Object.keys(local));
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const res = await authFetch("/api/auth/password", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ currentPassword, newPassword }),
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) {
        if (data.error === "wrong_password") {
          setErrors({ currentPassword: data.message });
          if (formRef.current) focusFirstError(formRef.current, ["currentPassword"]);
        } else if (data.error === "same_password") {
          setErrors({ newPassword: data.message });
          if (formRef.current) focusFirstError(formRef.current, ["newPassword"]);
        } else
          setErrors(
            formErrors(data, ["currentPassword", "newPassword"] as const, "Could not change your password. Try again."),
          );
        return;
      }
      const { sessionsEnded, ...state } = data as AuthenticatedSessionState & { sessionsEnded: number };
      acceptState(state);
      formRef.current?.reset();
      setDone(
        sessionsEnded === 0
          ? "Password changed. You stay signed in on this device."
          : `Password changed. ${sessionsEnded} other ${sessionsEnded === 1 ? "session was" : "sessions were"} signed out; this device stays signed in.`,
      );
      router.refresh();
    } catch {
      setErrors({ form: "Could not reach the server. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="max-w-md space-y-4" aria-busy={pending}>
      {/* Lets password managers tie the new password to the right account. */}
      <input
        type="email"
        name="username"
        autoComplete="username"
        defaultValue={email}
        readOnly
        hidden
        aria-hidden="true"
        tabIndex={-1}
      />
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        error={errors.currentPassword}
      />
      <NewPasswordFields minLength={minLength} errors={errors} />
      {errors.form && <Notice tone="error">{errors.form}</Notice>}
      {done && <Notice tone="success">{done}</Notice>}
      <button type="submit" disabled={pending} className={buttonClasses.primary}>
        {pending && <Spinner />}
        {pending ? "Changing password…" : "Change password"}
      </button>
    </form>
  );
}
