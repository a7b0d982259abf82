"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { ResendVerification } from "./resend-verification";
import { StatusPanel } from "./status-panel";
import { Notice, TextLink, buttonClasses } from "./ui";
import { useLinkToken } from "./use-link-token";
import { durationInWords } from "@/lib/client/durations";
import type { LinkTokenStatus, LinkTokenStore } from "@/lib/client/link-token";
import { verifyEmail } from "@/lib/client/recovery-calls";

type Outcome = "verified" | "password" | "invalid" | "network" | null;
type Result = Awaited<ReturnType<typeof verifyEmail>>;

/** A spent or dead token is forgotten; while the password is asked for, or after a network failure, it is kept. */
function settle(result: Result, store: LinkTokenStore): Outcome {
  if (result.ok || result.reason === "invalid_token") store.discard();
  if (result.ok) return "verified";
  if (result.reason === "invalid_token") return "invalid";
  if (result.reason === "network") return "network";
  return "password";
}

/**
 * The target of the emailed verification link: reads the fragment token, clears it from the
 * address bar, and posts it once by itself. (An email scanner that only GETs the page consumes
 * nothing: it runs no script, and the fragment never reaches the server.) The link proves the
 * mailbox; in a browser that is not signed in to the account, the page also asks for the
 * password chosen at sign-up, and then signs the person in.
 */
export function VerifyEmail({ mode }: { mode: "optional" | "required" | "off" }) {
  const { status, generation, store } = useLinkToken();
  return <VerifyEmailStates key={generation} status={status} store={store} mode={mode} />;
}

function VerifyEmailStates({
  status,
  store,
  mode,
}: {
  status: LinkTokenStatus;
  store: LinkTokenStore;
  mode: "optional" | "required" | "off";
}) {
  const { status: session, acceptState } = useAuth();
  const signedIn = session === "authenticated";
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [retrying, setRetrying] = useState(false);
  const [passwordError, setPasswordError] = useState<string | null>(null);

  function apply(result: Result) {
    if (result.ok && result.state) acceptState(result.state);
    setOutcome(settle(result, store));
  }

  useEffect(() => {
    if (status !== "present") return;
    const token = store.claimOnce(); // once, even when React runs this effect twice
    if (!token) return;
    void verifyEmail(token).then(apply);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per link; apply only sets state
  }, [status, store]);

  async function retry() {
    const token = store.token();
    if (!token) return setOutcome("invalid");
    setRetrying(true);
    apply(await verifyEmail(token));
    setRetrying(false);
  }

  async function submitPassword(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    const token = store.token();
    if (!token) return setOutcome("invalid");
    if (!password) return setPasswordError("Enter your password.");
    setRetrying(true);
    setPasswordError(null);
    const result = await verifyEmail(token, password);
    setRetrying(false);
    if (!result.ok && result.reason === "wrong_password")
      return setPasswordError("That is not the password of this sign-up. Check it and try again.");
    if (!result.ok && result.reason === "rate_limited")
      return setPasswordError(`Too many attempts. Try again in ${durationInWords(result.retryAfter ?? 60)}.`);
    if (!result.ok && result.reason === "other") return setPasswordError(result.message);
    apply(result);
  }

  if (outcome === "password") {
    return (
      <>
        <h1 className="text-2xl font-semibold tracking-tight">Confirm your email address</h1>
        <p className="mt-2 text-slate-700">
          Enter the password you chose when you signed up. This proves the account is yours, and signs you in.
        </p>
        <form onSubmit={submitPassword} noValidate className="mt-6 space-y-4">
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            error={passwordError}
          />
          <button type="submit" disabled={retrying} className={`w-full ${buttonClasses.primary}`}>
            {retrying && <Spinner />}
            {retrying ? "Confirming…" : "Confirm and sign in"}
          </button>
        </form>
        <p className="mt-6 text-sm text-slate-700">
          Did not sign up? Ignore the email: without the password nothing happens. Forgot it?{" "}
          <TextLink href="/forgot-password">Reset your password</TextLink>: that confirms the address too.
        </p>
      </>
    );
  }

  if (outcome === "verified") {
    return (
      <StatusPanel tone="success" title="Email address confirmed" headingLevel={1}>
        <p>Thank you: your email address is confirmed{signedIn ? " and you are signed in" : ""}.</p>
        <p className="pt-2">
          {signedIn ? (
            <Link href="/dashboard" className={buttonClasses.primary}>
              Go to the dashboard
            </Link>
          ) : (
            <Link href="/login?next=%2Fdashboard" className={buttonClasses.primary}>
              Sign in
            </Link>
          )}
        </p>
      </StatusPanel>
    );
  }

  if (outcome === "invalid" || status === "malformed" || status === "missing") {
    const incomplete = status === "missing";
    return (
      <StatusPanel
        tone="warning"
        title={incomplete ? "This link is incomplete" : "This link doesn't work"}
        headingLevel={1}
      >
        <p>
          {incomplete
            ? "This page needs the link from the confirmation email. Open the link from the email again (copy all of it if you paste it)."
            : "The confirmation link is invalid, already used or expired. Each link works once, for a limited time, and none works once the address is confirmed."}
        </p>
        {signedIn ? (
          <>
            <p>Ask for a new link: we&apos;ll send it to the address of your account.</p>
            <ResendVerification />
            <p className="pt-2">
              <TextLink href="/dashboard">Go to the dashboard</TextLink>
            </p>
          </>
        ) : mode === "required" ? (
          <>
            <p>
              To get a new link, register again with the same address: we&apos;ll send a fresh one. If you already
              confirmed your address, just sign in.
            </p>
            <p className="flex flex-wrap gap-3 pt-2">
              <Link href="/register" className={buttonClasses.primary}>
                Register again
              </Link>
              <Link href="/login?next=%2Fdashboard" className={buttonClasses.secondary}>
                Sign in
              </Link>
            </p>
          </>
        ) : (
          <>
            <p>Sign in and choose &ldquo;Resend&rdquo; on your dashboard to get a new link.</p>
            <p className="pt-2">
              <Link href="/login?next=%2Fdashboard" className={buttonClasses.primary}>
                Sign in
              </Link>
            </p>
          </>
        )}
      </StatusPanel>
    );
  }

  if (outcome === "network") {
    return (
      <StatusPanel tone="warning" title="We couldn't confirm your address yet" headingLevel={1}>
        <Notice tone="error">Could not reach the server. Check your connection and try again.</Notice>
        <p className="pt-2">
          <button type="button" onClick={retry} disabled={retrying} className={buttonClasses.primary}>
            {retrying && <Spinner />}
            {retrying ? "Trying again…" : "Try again"}
          </button>
        </p>
      </StatusPanel>
    );
  }

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Confirming your email address</h1>
      <p role="status" className="mt-4 flex items-center gap-2 text-slate-700">
        <Spinner />
        One moment…
      </p>
    </>
  );
}
