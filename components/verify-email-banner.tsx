"use client";

import { useId, useState } from "react";
import { useAuth } from "./auth-provider";
import { ResendVerification } from "./resend-verification";

/**
 * Shown on the dashboard until the address is confirmed (the server decides whether to render it:
 * EMAIL_VERIFICATION is not "off" and the full check says unverified). "Resend" mails a new link;
 * a 409 means it was confirmed meanwhile (another tab, another device), so the banner goes.
 */
export function VerifyEmailBanner({ email }: { email: string }) {
  const { user } = useAuth();
  const [confirmed, setConfirmed] = useState(false);
  const titleId = useId();
  if (confirmed || user?.emailVerified) return null;
  return (
    <section
      aria-labelledby={titleId}
      className="mb-6 flex items-start gap-4 rounded-xl border border-amber-300 bg-amber-50 p-4 text-amber-950 shadow-sm sm:p-5"
    >
      <span
        aria-hidden="true"
        className="hidden size-9 shrink-0 place-items-center rounded-full bg-amber-100 text-amber-900 sm:grid"
      >
        <svg
          viewBox="0 0 24 24"
          className="size-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M4 6h16v12H4zM4 7l8 6 8-6" />
        </svg>
      </span>
      <div className="min-w-0 flex-1">
        <h2 id={titleId} className="font-semibold">
          Confirm your email address
        </h2>
        <p className="mt-1 text-sm">
          We sent a link to <strong className="break-words font-semibold">{email}</strong>. Confirming it makes sure you
          can reset your password if you ever forget it. No mail? Ask for a new link (older links stop working).
        </p>
        <div className="mt-3">
          <ResendVerification onVerified={() => setConfirmed(true)} />
        </div>
      </div>
    </section>
  );
}
