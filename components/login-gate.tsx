"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Notice } from "./ui";
import { SIGN_IN_NOTICES } from "@/lib/client/notices";
import { goAfterSignIn } from "@/lib/client/after-sign-in";

/**
 * Before showing the sign-in form, try a silent refresh: someone whose access token expired but
 * whose refresh cookie is alive goes straight back to `next` without typing a password. When the
 * URL says why the user is here (they just signed out), there is nothing to try.
 */
export function LoginGate({ next, reason, children }: { next: string; reason?: string; children: React.ReactNode }) {
  const router = useRouter();
  const { refresh } = useAuth();
  const knownSignedOut = !!reason && reason in SIGN_IN_NOTICES;
  const [checking, setChecking] = useState(!knownSignedOut);
  const [ended, setEnded] = useState(false);
  const started = useRef(false);

  useEffect(() => {
    if (knownSignedOut || started.current) return; // StrictMode runs effects twice in development: probe once.
    started.current = true;
    void refresh().then((outcome) => {
      if (outcome.ok) {
        goAfterSignIn(router, next);
      } else if (outcome.reason !== "reuse") {
        // (reuse: the provider is already on its way to /session-ended)
        setEnded(outcome.reason === "ended");
        setChecking(false);
      }
    });
  }, [knownSignedOut, next, refresh, router]);

  const notice = knownSignedOut ? SIGN_IN_NOTICES[reason!] : ended ? SIGN_IN_NOTICES.ended : null;

  if (checking) {
    return (
      <p role="status" className="flex items-center gap-2 text-sm text-slate-700">
        <Spinner />
        Checking for an existing session…
      </p>
    );
  }
  return (
    <>
      {notice && (
        <Notice tone={reason === "signed_out" ? "success" : "info"} className="mb-5">
          {notice}
        </Notice>
      )}
      {children}
    </>
  );
}
