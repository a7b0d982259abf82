"use client";

import QRCode from "qrcode";
import { useEffect, useId, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { useStepUp } from "./step-up";
import { Badge, Card, Notice, buttonClasses } from "./ui";
import { accountCalls } from "@/lib/client/account-calls";
import { failureMessage, readAnswer } from "@/lib/client/api-call";

type Status = { enabled: boolean; recoveryCodesLeft: number };
type Message = { tone: "success" | "error"; text: string } | null;

/**
 * Two-step verification: set-up (a QR code and the setup key, shown this once, then the first
 * code turns it on), the ten recovery codes (shown once), new codes, and turning it off. The
 * setup key lives only in this component's state while setting up; it is never shown again.
 */
export function TwoFactorSection({ initial, appName }: { initial: Status; appName: string }) {
  const router = useRouter();
  const { withStepUp } = useStepUp();
  const [status, setStatus] = useState(initial);
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState<"setup" | "enable" | "disable" | "codes" | null>(null);
  const [codeError, setCodeError] = useState<string | null>(null);
  const [confirmOff, setConfirmOff] = useState(false);
  const [message, setMessage] = useState<Message>(null);

  async function beginSetup() {
    setBusy("setup");
    setMessage(null);
    const answer = await readAnswer<{ secret?: string; otpauthUrl?: string }>(
      await withStepUp(accountCalls.beginTwoFactorSetup),
    );
    setBusy(null);
    if (answer.res.ok && answer.body.secret && answer.body.otpauthUrl) {
      setSetup({ secret: answer.body.secret, otpauthUrl: answer.body.otpauthUrl });
      setCodeError(null);
    } else if (answer.body.error !== "reauthentication_required") {
      setMessage({ tone: "error", text: failureMessage(answer) });
    }
  }

  async function enable(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const code = String(new FormData(form).get("code") ?? "").replace(/\s/g, "");
    const input = form.querySelector<HTMLInputElement>('input[name="code"]');
    if (!/^\d{6}$/.test(code)) {
      setCodeError("Enter the 6-digit code your authenticator app shows.");
      input?.focus();
      return;
    }
    setBusy("enable");
    const answer = await readAnswer<{ recoveryCodes?: string[]; sessionsEnded?: number }>(
      await accountCalls.enableTwoFactor(code),
    );
    setBusy(null);
    if (!answer.res.ok || !answer.body.recoveryCodes) {
      setCodeError(answer.body.fields?.code ?? failureMessage(answer));
      input?.select();
      return;
    }
    setSetup(null);
    setCodes(answer.body.recoveryCodes);
    setStatus({ enabled: true, recoveryCodesLeft: answer.body.recoveryCodes.length });
    const ended = answer.body.sessionsEnded ?? 0;
    setMessage({
      tone: "success",
      text:
        "Two-step verification is on." +
        (ended > 0 ? ` ${ended} other ${ended === 1 ? "session was" : "sessions were"} signed out.` : ""),
    });
    router.refresh();
  }

  async function newCodes() {
    setBusy("codes");
    setMessage(null);
    const answer = await readAnswer<{ recoveryCodes?: string[] }>(await withStepUp(accountCalls.newRecoveryCodes));
    setBusy(null);
    if (answer.res.ok && answer.body.recoveryCodes) {
      setCodes(answer.body.recoveryCodes);
      setStatus({ enabled: true, recoveryCodesLeft: answer.body.recoveryCodes.length });
      setMessage({ tone: "success", text: "New recovery codes made. The old ones no longer work." });
    } else if (answer.body.error !== "reauthentication_required") {
      setMessage({ tone: "error", text: failureMessage(answer) });
    }
  }

  async function turnOff() {
    setBusy("disable");
    setMessage(null);
    const answer = await readAnswer(await withStepUp(accountCalls.disableTwoFactor));
    setBusy(null);
    setConfirmOff(false);
    if (answer.res.ok) {
      setStatus({ enabled: false, recoveryCodesLeft: 0 });
      setCodes(null);
      setMessage({ tone: "success", text: "Two-step verification is off. Your recovery codes no longer work." });
      router.refresh();
    } else if (answer.body.error !== "reauthentication_required") {
      setMessage({ tone: "error", text: failureMessage(answer) });
    }
  }

  return (
    <Card
      title="Two-step verification"
      titleId="two-factor"
      description="After your password, ask for a code from an authenticator app (Google Authenticator, 1Password, Authy, …). Someone who learns your password still can't get in."
    >
      <div className="space-y-4">
        {message && <Notice tone={message.tone}>{message.text}</Notice>}
        {codes && <RecoveryCodes codes={codes} appName={appName} onDone={() => setCodes(null)} />}
        {status.enabled ? (
          !codes && (
            <>
              <p className="flex flex-wrap items-center gap-2 text-sm text-slate-800">
                <Badge tone="emerald">On</Badge>
                <span data-testid="recovery-codes-left">{status.recoveryCodesLeft} of 10 recovery codes left.</span>
              </p>
              {status.recoveryCodesLeft <= 3 && (
                <Notice tone="warning">
                  You are running out of recovery codes. Make new ones and keep them somewhere safe.
                </Notice>
              )}
              {confirmOff ? (
                <div
                  role="group"
                  aria-label="Confirm turning two-step verification off"
                  className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 p-3"
                >
                  <p className="w-full text-sm text-red-900">
                    Turn two-step verification off? Your password alone will be enough to sign in.
                  </p>
                  <button type="button" className={buttonClasses.danger} onClick={turnOff} disabled={!!busy} autoFocus>
                    {busy === "disable" && <Spinner />}
                    Yes, turn it off
                  </button>
                  <button
                    type="button"
                    className={buttonClasses.secondary}
                    onClick={() => setConfirmOff(false)}
                    disabled={!!busy}
                  >
                    Keep it on
                  </button>
                </div>
              ) : (
                <div className="flex flex-wrap gap-3">
                  <button type="button" className={buttonClasses.secondary} onClick={newCodes} disabled={!!busy}>
                    {busy === "codes" && <Spinner />}
                    New recovery codes
                  </button>
                  <button
                    type="button"
                    className={buttonClasses.dangerOutline}
                    onClick={() => setConfirmOff(true)}
                    disabled={!!busy}
                  >
                    Turn off two-step verification
                  </button>
                </div>
              )}
            </>
          )
        ) : setup ? (
          <SetupSteps
            setup={setup}
            busy={busy === "enable"}
            codeError={codeError}
            onSubmit={enable}
            onCancel={() => setSetup(null)}
          />
        ) : (
          <>
            <p className="flex items-center gap-2 text-sm text-slate-800">
              <Badge>Off</Badge> Only your password protects your account.
            </p>
            <button type="button" className={buttonClasses.primary} onClick={beginSetup} disabled={!!busy}>
              {busy === "setup" && <Spinner />}
              Set up two-step verification
            </button>
          </>
        )}
      </div>
    </Card>
  );
}

/** The QR code, the setup key as text (for typing in), and the first code. */
function SetupSteps({
  setup,
  busy,
  codeError,
  onSubmit,
  onCancel,
}: {
  setup: { secret: string; otpauthUrl: string };
  busy: boolean;
  codeError: string | null;
  onSubmit: (e: React.FormEvent<HTMLFormElement>) => void;
  onCancel: () => void;
}) {
  const [qr, setQr] = useState<string | null>(null);
  const keyId = useId();
  useEffect(() => {
    let live = true;
    // Drawn in the page from the otpauth:// URL: the secret never goes to a QR service.
    void QRCode.toDataURL(setup.otpauthUrl, { margin: 1, width: 192, errorCorrectionLevel: "M" }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [setup.otpauthUrl]);
  const grouped = setup.secret.replace(/(.{4})/g, "$1 ").trim();
  return (
    <div className="space-y-5">
      <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-800">
        <li>Open your authenticator app and add an account.</li>
        <li>Scan the QR code, or type the setup key.</li>
        <li>Enter the 6-digit code the app shows, then choose Turn on.</li>
      </ol>
      <div className="flex flex-col gap-5 sm:flex-row sm:items-center">
        <div className="grid size-48 shrink-0 place-items-center rounded-lg border border-slate-200 bg-white">
          {qr ? (
            // eslint-disable-next-line @next/next/no-img-element -- a data: URL drawn in the page, nothing to optimise
            <img src={qr} width={192} height={192} alt="QR code to scan with your authenticator app" />
          ) : (
            <Spinner />
          )}
        </div>
        <div className="min-w-0 space-y-1">
          <p id={keyId} className="text-sm font-medium text-slate-800">
            Setup key
          </p>
          <code
            aria-labelledby={keyId}
            data-testid="setup-key"
            className="block rounded-md bg-slate-100 px-3 py-2 font-mono text-sm tracking-wider break-all text-slate-900 select-all"
          >
            {grouped}
          </code>
          <p className="text-xs text-slate-600">Shown only now. Time-based, 6 digits, every 30 seconds.</p>
        </div>
      </div>
      <form onSubmit={onSubmit} noValidate className="max-w-xs space-y-4" aria-busy={busy}>
        <Field
          label="Verification code"
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          error={codeError}
          autoFocus
        />
        <div className="flex gap-3">
          <button type="submit" className={buttonClasses.primary} disabled={busy}>
            {busy && <Spinner />}
            Turn on
          </button>
          <button type="button" className={buttonClasses.secondary} onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}

/** The ten recovery codes, this once: Copy, Download, and a clear "Done" to put them away. */
function RecoveryCodes({ codes, appName, onDone }: { codes: string[]; appName: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const text = codes.join("\n") + "\n";

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  function download() {
    const blob = new Blob([`${appName} recovery codes\nEach works once.\n\n${text}`], { type: "text/plain" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = "recovery-codes.txt";
    a.click();
    // Revoked after the click has been handled: the download has its own copy by then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  return (
    <section aria-labelledby="recovery-codes" className="rounded-lg border border-amber-300 bg-amber-50 p-4">
      <h3 id="recovery-codes" ref={headingRef} tabIndex={-1} className="font-semibold text-amber-950 outline-none">
        Save your recovery codes
      </h3>
      <p className="mt-1 text-sm text-amber-950">
        If you lose your phone, each of these codes signs you in once. They are shown only now: copy or download them
        and keep them somewhere safe.
      </p>
      <ul
        aria-label="Recovery codes"
        className="mt-3 grid grid-cols-2 gap-x-6 gap-y-1 rounded-md bg-white p-3 font-mono text-sm text-slate-900 sm:w-fit"
      >
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ul>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" className={buttonClasses.secondary} onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className={buttonClasses.secondary} onClick={download}>
          Download
        </button>
        <button type="button" className={buttonClasses.primary} onClick={onDone}>
          I&apos;ve saved them
        </button>
      </div>
      <p role="status" className="sr-only">
        {copied ? "Recovery codes copied." : ""}
      </p>
    </section>
  );
}
