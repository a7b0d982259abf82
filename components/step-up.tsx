"use client";

import { createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { Notice, buttonClasses } from "./ui";
import { passkeysSupported } from "@/lib/client/passkey-ceremony";
import {
  codeProof,
  fetchTwoFactorStatus,
  isReauthenticationRequired,
  reauthenticate,
  reauthenticateWithPasskey,
  type StepUpOutcome,
} from "@/lib/client/step-up-calls";

type Request = () => Promise<Response>;

export type StepUp = {
  /**
   * Runs `request`. When it answers 401 `reauthentication_required` (the session's last sign-in is
   * older than STEP_UP_MAX_AGE), asks "Confirm it's you" and, once confirmed, runs it once more and
   * resolves with that answer. Cancelled: resolves with the original 401.
   */
  withStepUp: (request: Request) => Promise<Response>;
};

type Waiter = { request: Request; original: Response; resolve: (res: Response) => void; reject: (e: unknown) => void };

const StepUpContext = createContext<StepUp | null>(null);

/**
 * Step-up for the whole app: mounted once inside AuthProvider (app/layout.tsx). Requests that
 * need a recent sign-in wait here while one dialog is open; a confirmation retries them all.
 */
export function StepUpProvider({ children }: { children: React.ReactNode }) {
  const waiters = useRef<Waiter[]>([]);
  const [open, setOpen] = useState(false);

  const withStepUp = useCallback(async (request: Request) => {
    const first = await request();
    if (!(await isReauthenticationRequired(first))) return first;
    return new Promise<Response>((resolve, reject) => {
      waiters.current.push({ request, original: first, resolve, reject });
      setOpen(true);
    });
  }, []);

  const settle = useCallback((confirmed: boolean) => {
    const list = waiters.current.splice(0);
    setOpen(false);
    for (const w of list) {
      if (confirmed) w.request().then(w.resolve, w.reject);
      else w.resolve(w.original);
    }
  }, []);

  const value = useMemo(() => ({ withStepUp }), [withStepUp]);
  return (
    <StepUpContext.Provider value={value}>
      {children}
      {open && <ConfirmItsYouDialog onDone={settle} />}
    </StepUpContext.Provider>
  );
}

export function useStepUp(): StepUp {
  const ctx = useContext(StepUpContext);
  if (!ctx) throw new Error("useStepUp must be used inside <StepUpProvider>");
  return ctx;
}

type Mode = "password" | "code";

/** The modal: a native <dialog> (focus kept inside, Escape cancels, the page behind inert). */
function ConfirmItsYouDialog({ onDone }: { onDone: (confirmed: boolean) => void }) {
  const { user, acceptState } = useAuth();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const [mode, setMode] = useState<Mode>("password");
  const [twoFactorOn, setTwoFactorOn] = useState(false);
  const [canUsePasskey] = useState(passkeysSupported);
  const [error, setError] = useState<{ text: string; from: "form" | "passkey" } | null>(null);
  const [pending, setPending] = useState<"form" | "passkey" | null>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    let live = true;
    // Whether a code is an option at all (only with two-step on).
    void fetchTwoFactorStatus().then((status) => {
      if (live && status) setTwoFactorOn(status.enabled);
    });
    return () => {
      live = false;
    };
  }, []);

  function finish(outcome: StepUpOutcome, from: "form" | "passkey") {
    setPending(null);
    if (outcome.ok) {
      acceptState(outcome.state);
      onDone(true);
      return;
    }
    if (outcome.sessionEnded) {
      onDone(false);
      return;
    }
    if (outcome.message) setError({ text: outcome.message, from });
  }

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const value = String(new FormData(form).get(mode) ?? "");
    if (!value.trim()) {
      setError({
        text: mode === "password" ? "Enter your password." : "Enter a code from your app, or a recovery code.",
        from: "form",
      });
      form.querySelector<HTMLInputElement>(`input[name="${mode}"]`)?.focus();
      return;
    }
    setError(null);
    setPending("form");
    finish(await reauthenticate(mode === "password" ? { password: value } : codeProof(value)), "form");
  }

  async function withPasskey() {
    setError(null);
    setPending("passkey");
    finish(await reauthenticateWithPasskey(), "passkey");
  }

  function switchTo(next: Mode) {
    setMode(next);
    setError(null);
  }

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      // Escape: the browser would close the dialog; cancelling is ours to do (the waiting requests resolve).
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onDone(false);
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 sm:p-8"
    >
      <h2 id={titleId} className="text-xl font-semibold tracking-tight">
        Confirm it&apos;s you
      </h2>
      <p id={descriptionId} className="mt-2 text-sm text-slate-700">
        This needs a recent sign-in.{" "}
        {mode === "password"
          ? "Enter your password to continue."
          : "Enter the 6-digit code from your authenticator app, or one of your recovery codes."}
      </p>
      <form key={mode} onSubmit={onSubmit} method="post" noValidate className="mt-5 space-y-4" aria-busy={!!pending}>
        {mode === "password" ? (
          <>
            {/* Lets password managers offer the right account's password. */}
            <input
              type="email"
              name="username"
              autoComplete="username"
              defaultValue={user?.email ?? ""}
              readOnly
              hidden
              aria-hidden="true"
              tabIndex={-1}
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              error={error?.from === "form" ? error.text : null}
              autoFocus
            />
          </>
        ) : (
          <Field
            label="Verification code"
            name="code"
            type="text"
            autoComplete="one-time-code"
            spellCheck={false}
            hint="Or one of your recovery codes."
            error={error?.from === "form" ? error.text : null}
            autoFocus
          />
        )}
        {error?.from === "passkey" && <Notice tone="error">{error.text}</Notice>}
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" disabled={!!pending} className={buttonClasses.primary}>
            {pending === "form" && <Spinner />}
            {pending === "form" ? "Confirming…" : "Confirm"}
          </button>
          <button type="button" disabled={!!pending} className={buttonClasses.secondary} onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
      </form>
      {(twoFactorOn || canUsePasskey) && (
        <div className="mt-5 flex flex-col items-start gap-2 border-t border-slate-200 pt-4 text-sm">
          {twoFactorOn && (
            <button
              type="button"
              disabled={!!pending}
              onClick={() => switchTo(mode === "password" ? "code" : "password")}
              className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900"
            >
              {mode === "password" ? "Use a code instead" : "Use your password instead"}
            </button>
          )}
          {canUsePasskey && (
            <button
              type="button"
              disabled={!!pending}
              onClick={withPasskey}
              className="inline-flex items-center gap-2 font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900"
            >
              {pending === "passkey" && <Spinner />}
              Use a passkey
            </button>
          )}
        </div>
      )}
    </dialog>
  );
}
