"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useAuth } from "./auth-provider";
import type { AccessState } from "./auth-types";

type Mode = "login" | "register";

/** The sign-in and sign-up form: labelled inputs, inline errors, a pending state. */
export function CredentialsForm({ mode, next }: { mode: Mode; next: string }) {
  const router = useRouter();
  const { setState } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const errorId = useId();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, string> = { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") };
    if (mode === "register" && form.get("name")) body.name = String(form.get("name"));
    setPending(true);
    setError(null);
    try {
      const res = await fetch(`/api/auth/${mode}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) {
        setError(data.message ?? "Something went wrong. Try again.");
        setPending(false);
        return;
      }
      setState(data as AccessState);
      router.replace(next);
      router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  const submitLabel = mode === "login" ? "Sign in" : "Create account";
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-describedby={error ? errorId : undefined}>
      {mode === "register" && (
        <Field label="Name (optional)" name="name" type="text" autoComplete="name" required={false} />
      )}
      <Field label="Email" name="email" type="email" autoComplete="email" />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={mode === "login" ? "current-password" : "new-password"}
        hint={mode === "register" ? "At least 8 characters." : undefined}
      />
      {error && (
        <p id={errorId} role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:cursor-wait disabled:opacity-70"
      >
        {pending ? (mode === "login" ? "Signing in…" : "Creating account…") : submitLabel}
      </button>
    </form>
  );
}

export function Field({
  label,
  name,
  type,
  autoComplete,
  hint,
  required = true,
}: {
  label: string;
  name: string;
  type: string;
  autoComplete: string;
  hint?: string;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required={required}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-600/30"
      />
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}
