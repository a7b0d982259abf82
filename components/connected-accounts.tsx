"use client";

import { useState } from "react";
import { Spinner } from "./credentials-form";
import { LocalTime } from "./local-time";
import { ProviderMark, type OfferedProvider } from "./provider-buttons";
import { useStepUp } from "./step-up";
import { Card, Notice, buttonClasses } from "./ui";
import { accountCalls } from "@/lib/client/account-calls";
import { failureMessage, readAnswer } from "@/lib/client/api-call";

export type ConnectedAccount = { provider: string; email: string | null; createdAt: number; lastUsedAt: number | null };

type Message = { tone: "success" | "error"; text: string } | null;

/**
 * Each configured provider, connected or not. Connecting needs a recent sign-in: the POST runs
 * through withStepUp, then the browser goes to the provider; the callback comes back here with
 * `?connected=<id>` or `?error=<code>` (the page turns those into `notice`).
 */
export function ConnectedAccounts({
  providers,
  initial,
  notice,
}: {
  providers: OfferedProvider[];
  initial: ConnectedAccount[];
  notice: Message;
}) {
  const { withStepUp } = useStepUp();
  const [connected, setConnected] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(notice);

  async function connect(provider: OfferedProvider) {
    setBusy(provider.id);
    setMessage(null);
    const answer = await readAnswer<{ location?: string }>(
      await withStepUp(() => accountCalls.connectProvider(provider.id)),
    );
    if (answer.res.ok && typeof answer.body.location === "string") {
      // Off to the provider; busy stays on until the page goes.
      window.location.assign(answer.body.location);
      return;
    }
    setBusy(null);
    if (answer.body.error !== "reauthentication_required") setMessage({ tone: "error", text: failureMessage(answer) });
  }

  async function disconnect(provider: OfferedProvider) {
    setBusy(provider.id);
    setMessage(null);
    const answer = await readAnswer(await withStepUp(() => accountCalls.disconnectProvider(provider.id)));
    setBusy(null);
    if (answer.res.ok) {
      setConnected((list) => list.filter((a) => a.provider !== provider.id));
      setMessage({ tone: "success", text: `Disconnected ${provider.name}. You can no longer sign in with it.` });
    } else if (answer.body.error !== "reauthentication_required") {
      setMessage({ tone: "error", text: failureMessage(answer) });
    }
  }

  return (
    <Card
      title="Connected accounts"
      titleId="connected-accounts"
      description="Sign in with an account you already have elsewhere."
    >
      <div className="space-y-4">
        {message && <Notice tone={message.tone}>{message.text}</Notice>}
        <ul aria-label="Sign-in providers" className="divide-y divide-slate-200 rounded-lg border border-slate-200">
          {providers.map((p) => {
            const account = connected.find((a) => a.provider === p.id);
            return (
              <li key={p.id} data-testid="provider" className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center">
                <ProviderMark id={p.id} name={p.name} />
                <div className="min-w-0 flex-1 text-sm">
                  <p className="font-semibold text-slate-900">{p.name}</p>
                  {account ? (
                    <p className="text-slate-700">
                      Connected
                      {account.email ? (
                        <>
                          {" "}
                          as <span className="break-all">{account.email}</span>
                        </>
                      ) : null}{" "}
                      since <LocalTime ms={account.createdAt} />
                    </p>
                  ) : (
                    <p className="text-slate-600">Not connected</p>
                  )}
                </div>
                {account ? (
                  <button
                    type="button"
                    className={buttonClasses.dangerOutline}
                    onClick={() => disconnect(p)}
                    disabled={busy !== null}
                  >
                    {busy === p.id && <Spinner />}
                    Disconnect<span className="sr-only"> {p.name}</span>
                  </button>
                ) : (
                  <button
                    type="button"
                    className={`${buttonClasses.secondary} px-3 py-1.5`}
                    onClick={() => connect(p)}
                    disabled={busy !== null}
                  >
                    {busy === p.id && <Spinner />}
                    Connect<span className="sr-only"> {p.name}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </Card>
  );
}
