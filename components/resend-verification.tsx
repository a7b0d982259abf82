"use client";

import { useState } from "react";
import { Spinner } from "./credentials-form";
import { buttonClasses } from "./ui";
import { tooManyRequests } from "@/lib/client/durations";
import { resendVerification } from "@/lib/client/recovery-calls";

type State =
  | { kind: "idle" }
  | { kind: "sending" }
  | { kind: "sent" }
  | { kind: "already_verified" }
  | { kind: "error"; message: string };

/**
 * "Resend": mails a new verification link to the signed-in user (older links stop working).
 * 202 → "Sent", 429 → how long to wait, 409 → the address is already confirmed (onVerified).
 */
export function ResendVerification({
  onVerified,
  className = buttonClasses.secondary,
}: {
  onVerified?: () => void;
  className?: string;
}) {
  const [state, setState] = useState<State>({ kind: "idle" });

  async function resend() {
    setState({ kind: "sending" });
    const outcome = await resendVerification();
    if (outcome.ok) return setState({ kind: "sent" });
    switch (outcome.reason) {
      case "already_verified":
        setState({ kind: "already_verified" });
        return onVerified?.();
      case "rate_limited":
        return setState({ kind: "error", message: tooManyRequests(outcome.retryAfter) });
      case "signed_out":
        return setState({ kind: "error", message: "Your session has ended. Sign in again to ask for a new link." });
      case "network":
        return setState({ kind: "error", message: "Could not reach the server. Check your connection and try again." });
      default:
        return setState({ kind: "error", message: outcome.message });
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <button type="button" onClick={resend} disabled={state.kind === "sending"} className={className}>
        {state.kind === "sending" && <Spinner />}
        {state.kind === "sending" ? "Sending…" : "Resend"}
      </button>
      {/* Always in the page, so screen readers announce what lands in it. */}
      <p role="status" className="text-sm">
        {state.kind === "sent" && (
          <span className="font-medium text-emerald-800">Sent. Check your inbox for the new link.</span>
        )}
        {state.kind === "already_verified" && (
          <span className="font-medium text-emerald-800">Your email address is already confirmed.</span>
        )}
        {state.kind === "error" && <span className="font-medium text-red-800">{state.message}</span>}
      </p>
    </div>
  );
}
