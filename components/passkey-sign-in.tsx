"use client";

import { useRouter } from "next/navigation";
import { goAfterSignIn } from "@/lib/client/after-sign-in";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Notice, buttonClasses } from "./ui";
import { passkeyAutofillSupported, passkeysSupported } from "@/lib/client/passkey-ceremony";
import { signInWithPasskey } from "@/lib/client/sign-in-calls";
import type { AuthenticatedSessionState } from "@/lib/client/types";

const noSubscribe = () => () => {};

/**
 * "Sign in with a passkey", and the same offered in the email field's autofill (conditional UI:
 * the field has autocomplete="username webauthn"). Rendered after the form, so the field exists
 * when the quiet request starts. No email to type: the passkey says whose it is.
 */
export function PasskeySignIn({ next }: { next: string }) {
  const router = useRouter();
  const { acceptState } = useAuth();
  // Known only in the browser: the server renders no button, the browser adds it where WebAuthn exists.
  const supported = useSyncExternalStore(noSubscribe, passkeysSupported, () => false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const done = useRef(false);

  function signedIn(state: AuthenticatedSessionState) {
    done.current = true;
    acceptState(state);
    // A native app's authorization request needs a full navigation (lib/client/after-sign-in.ts).
    goAfterSignIn(router, next);
  }

  // Conditional UI: waits for a passkey picked from the email field's suggestions. A click on the
  // button aborts it (one ceremony at a time); it starts again when that one ends.
  const startAutofill = useRef<() => void>(() => {});
  useEffect(() => {
    if (!passkeysSupported()) return;
    let live = true;
    startAutofill.current = () => {
      void passkeyAutofillSupported().then(async (ok) => {
        if (!ok || !live || done.current) return;
        const outcome = await signInWithPasskey(true);
        if (!live) return;
        if (outcome.ok) return signedIn(outcome.state);
        // Only the server's refusal of a passkey the person picked is worth saying; the quiet request's
        // own failures (aborted by our button, no autofill in this browser) are not theirs.
        if (outcome.code) setError(outcome.message);
      });
    };
    startAutofill.current();
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per page: the ceremony outlives renders
  }, []);

  async function onClick() {
    setPending(true);
    setError(null);
    const outcome = await signInWithPasskey(false);
    if (outcome.ok) return signedIn(outcome.state);
    setPending(false);
    if (outcome.message) setError(outcome.message);
    startAutofill.current();
  }

  // Without WebAuthn (an old browser, or http on a host that is not localhost) there is nothing to offer.
  if (!supported) return null;
  return (
    <div className="mt-4 space-y-3">
      <div className="flex items-center gap-3 text-xs font-medium uppercase tracking-wide text-slate-500">
        <span className="h-px flex-1 bg-slate-200" aria-hidden="true" />
        or
        <span className="h-px flex-1 bg-slate-200" aria-hidden="true" />
      </div>
      <button type="button" onClick={onClick} disabled={pending} className={`${buttonClasses.secondary} w-full py-2.5`}>
        {pending ? <Spinner /> : <PasskeyIcon />}
        {pending ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
      {error && <Notice tone="error">{error}</Notice>}
    </div>
  );
}

export function PasskeyIcon() {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      className="size-4"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <circle cx="9" cy="8" r="4" />
      <path d="M3 20a6 6 0 0 1 9.5-4.9" />
      <circle cx="17.5" cy="14.5" r="2.5" />
      <path d="M17.5 17v4l1.5-1" />
    </svg>
  );
}
