"use client";

import { useId } from "react";

/** A labelled input with an optional hint and an inline error, wired up for screen readers. */
export function Field({
  label,
  name,
  type,
  autoComplete,
  hint,
  error,
  required = true,
  minLength,
  defaultValue,
  autoFocus,
  inputMode,
  spellCheck,
}: {
  label: string;
  name: string;
  type: string;
  autoComplete: string;
  hint?: string;
  error?: string | null;
  required?: boolean;
  minLength?: number;
  defaultValue?: string;
  autoFocus?: boolean;
  inputMode?: React.HTMLAttributes<HTMLInputElement>["inputMode"];
  spellCheck?: boolean;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
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
        minLength={minLength}
        defaultValue={defaultValue}
        autoFocus={autoFocus}
        inputMode={inputMode}
        spellCheck={spellCheck}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`mt-1 block w-full rounded-md border bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-500 focus:outline-none focus:ring-2 ${
          error
            ? "border-red-500 focus:border-red-600 focus:ring-red-600/30"
            : "border-slate-300 focus:border-indigo-600 focus:ring-indigo-600/30"
        }`}
      />
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-800">
          {error}
        </p>
      )}
    </div>
  );
}

/** "New password" and "Confirm new password", as every form that sets a password asks for them. */
export function NewPasswordFields({
  minLength,
  errors,
}: {
  minLength: number;
  errors: { newPassword?: string; confirm?: string };
}) {
  return (
    <>
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        minLength={minLength}
        hint={`At least ${minLength} characters.`}
        error={errors.newPassword}
      />
      <Field
        label="Confirm new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        error={errors.confirm}
      />
    </>
  );
}
