"use client";

import { useState, useSyncExternalStore } from "react";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { LocalTime } from "./local-time";
import { PasskeyIcon } from "./passkey-sign-in";
import { useStepUp } from "./step-up";
import { Badge, Card, Notice, buttonClasses } from "./ui";
import { accountCalls } from "@/lib/client/account-calls";
import { failureMessage, readAnswer } from "@/lib/client/api-call";
import { createPasskey, passkeysSupported } from "@/lib/client/passkey-ceremony";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";

export type PasskeyItem = {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  backedUp: boolean;
};

type Message = { tone: "success" | "error"; text: string } | null;

const noSubscribe = () => () => {};

/** "Passkey on macOS": a first name for a new passkey, from the platform the browser reports. */
function defaultName(): string {
  const ua = navigator.userAgent;
  const platform = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux|CrOS/.test(ua)
            ? "Linux"
            : null;
  return platform ? `Passkey on ${platform}` : "Passkey";
}

/**
 * The user's passkeys: name, when made, when last used, and whether the platform syncs it
 * (backed up: it survives losing this device). Adding and removing need a recent sign-in.
 */
export function PasskeysSection({ initial }: { initial: PasskeyItem[] }) {
  const { withStepUp } = useStepUp();
  const supported = useSyncExternalStore(noSubscribe, passkeysSupported, () => true);
  const [passkeys, setPasskeys] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [renameError, setRenameError] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);

  async function reload() {
    const answer = await readAnswer<{ passkeys?: PasskeyItem[] }>(await accountCalls.listPasskeys());
    if (answer.res.ok && answer.body.passkeys) setPasskeys(answer.body.passkeys);
  }

  async function add() {
    setBusy("add");
    setMessage(null);
    try {
      const options = await readAnswer<PublicKeyCredentialCreationOptionsJSON>(
        await withStepUp(accountCalls.passkeyRegistrationOptions),
      );
      if (!options.res.ok) {
        // Cancelled "Confirm it's you": nothing to say.
        if (options.body.error !== "reauthentication_required")
          setMessage({ tone: "error", text: failureMessage(options) });
        return;
      }
      const ceremony = await createPasskey(options.body);
      if (!ceremony.ok) {
        if (ceremony.message) setMessage({ tone: "error", text: ceremony.message });
        return;
      }
      const name = defaultName();
      const registered = await readAnswer<{ passkey?: PasskeyItem }>(
        await withStepUp(() => accountCalls.registerPasskey(ceremony.response, name)),
      );
      if (!registered.res.ok || !registered.body.passkey) {
        setMessage({ tone: "error", text: failureMessage(registered, "The passkey could not be added. Try again.") });
        return;
      }
      const added = registered.body.passkey;
      setPasskeys((list) => [...list.filter((p) => p.id !== added.id), added]);
      setMessage({
        tone: "success",
        text: `Passkey added as “${added.name}”. Next time, sign in with it: no password needed.`,
      });
    } finally {
      setBusy(null);
    }
  }

  async function remove(passkey: PasskeyItem) {
    setBusy(passkey.id);
    setMessage(null);
    const answer = await readAnswer(await withStepUp(() => accountCalls.removePasskey(passkey.id)));
    setBusy(null);
    setConfirmRemove(null);
    if (answer.res.ok || answer.status === 404) {
      setPasskeys((list) => list.filter((p) => p.id !== passkey.id));
      setMessage({ tone: "success", text: `Removed “${passkey.name}”. It can no longer sign in to your account.` });
      void reload();
    } else if (answer.body.error !== "reauthentication_required") {
      setMessage({ tone: "error", text: failureMessage(answer, "Could not remove that passkey. Try again.") });
    }
  }

  async function rename(event: React.FormEvent<HTMLFormElement>, passkey: PasskeyItem) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (!name) {
      setRenameError("Give the passkey a name.");
      return;
    }
    setBusy(passkey.id);
    const answer = await readAnswer(await withStepUp(() => accountCalls.renamePasskey(passkey.id, name)));
    setBusy(null);
    if (!answer.res.ok) {
      setRenameError(answer.body.fields?.name ?? failureMessage(answer, "Could not rename it. Try again."));
      return;
    }
    setPasskeys((list) => list.map((p) => (p.id === passkey.id ? { ...p, name } : p)));
    setRenaming(null);
    setRenameError(null);
    setMessage({ tone: "success", text: `Renamed to “${name}”.` });
  }

  return (
    <Card
      title="Passkeys"
      titleId="passkeys"
      description="Sign in with your fingerprint, face or screen lock instead of a password. A passkey can't be phished or reused on another site."
    >
      <div className="space-y-4">
        {message && <Notice tone={message.tone}>{message.text}</Notice>}
        {passkeys.length === 0 ? (
          <p className="text-sm text-slate-700">You have no passkeys yet.</p>
        ) : (
          <ul aria-label="Your passkeys" className="divide-y divide-slate-200 rounded-lg border border-slate-200">
            {passkeys.map((p) => (
              <li key={p.id} data-testid="passkey" className="flex flex-col gap-3 p-4 sm:flex-row sm:items-start">
                <span
                  aria-hidden="true"
                  className="grid size-9 shrink-0 place-items-center rounded-lg bg-indigo-50 text-indigo-700"
                >
                  <PasskeyIcon />
                </span>
                <div className="min-w-0 flex-1">
                  {renaming === p.id ? (
                    <form onSubmit={(e) => rename(e, p)} noValidate className="space-y-3">
                      <Field
                        label="Passkey name"
                        name="name"
                        type="text"
                        autoComplete="off"
                        defaultValue={p.name}
                        error={renameError}
                        autoFocus
                      />
                      <div className="flex gap-2">
                        <button type="submit" className={buttonClasses.primary} disabled={busy !== null}>
                          Save
                        </button>
                        <button
                          type="button"
                          className={buttonClasses.secondary}
                          onClick={() => {
                            setRenaming(null);
                            setRenameError(null);
                          }}
                        >
                          Cancel
                        </button>
                      </div>
                    </form>
                  ) : (
                    <p className="flex flex-wrap items-center gap-2 font-semibold break-words text-slate-900">
                      {p.name}
                      {p.backedUp ? <Badge tone="emerald">Synced</Badge> : <Badge>This device only</Badge>}
                    </p>
                  )}
                  <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 text-sm text-slate-700">
                    <dt className="text-slate-600">Created</dt>
                    <dd>
                      <LocalTime ms={p.createdAt} />
                    </dd>
                    <dt className="text-slate-600">Last used</dt>
                    <dd>{p.lastUsedAt ? <LocalTime ms={p.lastUsedAt} withRelative /> : "Never"}</dd>
                  </dl>
                  {confirmRemove === p.id && (
                    <div
                      role="group"
                      aria-label={`Confirm removing ${p.name}`}
                      className="mt-3 flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 p-3"
                    >
                      <p className="w-full text-sm text-red-900">
                        Remove “{p.name}”? You won&apos;t be able to sign in with it any more.
                      </p>
                      <button
                        type="button"
                        className={buttonClasses.danger}
                        onClick={() => remove(p)}
                        disabled={busy !== null}
                        autoFocus
                      >
                        {busy === p.id && <Spinner />}
                        Yes, remove
                      </button>
                      <button
                        type="button"
                        className={buttonClasses.secondary}
                        onClick={() => setConfirmRemove(null)}
                        disabled={busy !== null}
                      >
                        Keep it
                      </button>
                    </div>
                  )}
                </div>
                {renaming !== p.id && confirmRemove !== p.id && (
                  <div className="flex gap-2 self-start">
                    <button
                      type="button"
                      className={`${buttonClasses.secondary} px-3 py-1.5`}
                      onClick={() => {
                        setRenaming(p.id);
                        setRenameError(null);
                      }}
                      disabled={busy !== null}
                    >
                      Rename<span className="sr-only"> {p.name}</span>
                    </button>
                    <button
                      type="button"
                      className={buttonClasses.dangerOutline}
                      onClick={() => setConfirmRemove(p.id)}
                      disabled={busy !== null}
                    >
                      Remove<span className="sr-only"> {p.name}</span>
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
        {supported ? (
          <button type="button" className={buttonClasses.primary} onClick={add} disabled={busy !== null}>
            {busy === "add" ? <Spinner /> : <PasskeyIcon />}
            {busy === "add" ? "Waiting for your device…" : "Add a passkey"}
          </button>
        ) : (
          <p className="text-sm text-slate-700">
            Passkeys can&apos;t be added here: this browser doesn&apos;t support them, or the app was opened by its IP
            address instead of its name.
          </p>
        )}
      </div>
    </Card>
  );
}
