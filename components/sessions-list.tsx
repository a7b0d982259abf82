"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAuth } from "./auth-provider";
import { LocalTime } from "./local-time";
import { Badge, Card, Notice, buttonClasses } from "./ui";
import type { DeviceSession } from "@/lib/auth/devices";

export type { DeviceSession };

/** "ExampleApp/1.0" from "ExampleApp/1.0 (iPhone; iOS 18.2) CFNetwork/…": the app's product token. */
function appName(userAgent: string | null | undefined): string {
  const product = userAgent?.trim().split(/\s+/, 1)[0];
  return product ? product.slice(0, 64) : "Unknown app";
}

/**
 * What the row is called: "Chrome 156 on Linux" for a browser; for an app its registered name when
 * it signed in through the browser, else "ExampleApp/1.0" (on iOS 18.2) from its User-Agent.
 */
function deviceLabel(s: DeviceSession): string {
  if (s.client !== "native") return `${s.browser} on ${s.os}`;
  const name = s.appName ?? appName(s.userAgent);
  return s.os === "Unknown system" ? name : `${name} on ${s.os}`;
}

function DeviceIcon({ type }: { type: string }) {
  return (
    <span
      aria-hidden="true"
      className="grid size-10 shrink-0 place-items-center rounded-lg bg-slate-100 text-slate-700"
    >
      <svg
        viewBox="0 0 24 24"
        className="size-5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        {type === "app" ? (
          <>
            <rect x="4" y="4" width="7" height="7" rx="1.5" />
            <rect x="13" y="4" width="7" height="7" rx="1.5" />
            <rect x="4" y="13" width="7" height="7" rx="1.5" />
            <rect x="13" y="13" width="7" height="7" rx="1.5" />
          </>
        ) : type === "desktop" ? (
          <>
            <rect x="3" y="4" width="18" height="12" rx="1.5" />
            <path d="M8 20h8M12 16v4" />
          </>
        ) : (
          <>
            <rect x={type === "tablet" ? 5 : 7} y="3" width={type === "tablet" ? 14 : 10} height="18" rx="2" />
            <path d="M11 18h2" />
          </>
        )}
      </svg>
    </span>
  );
}

/**
 * The user's devices, with "sign out this device" per row and "sign out everywhere". Apps signed
 * in through the token endpoint are marked as such, with their user agent, and whether their
 * session is bound to a key held on that device (DPoP).
 */
export function SessionsList({ initial }: { initial: DeviceSession[] }) {
  const router = useRouter();
  const { authFetch, signOut, signOutEverywhere } = useAuth();
  const [sessions, setSessions] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);

  async function reload() {
    const res = await authFetch("/api/auth/sessions");
    if (res.ok) {
      const data = (await res.json()) as { sessions: DeviceSession[] };
      setSessions(data.sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt));
    }
  }

  async function end(session: DeviceSession) {
    setBusy(session.id);
    setMessage(null);
    if (session.current) {
      await signOut();
      router.replace("/login?reason=signed_out");
      return;
    }
    const res = await authFetch(`/api/auth/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" }).catch(
      () => null,
    );
    setBusy(null);
    if (res?.ok || res?.status === 404) {
      setSessions((list) => list.filter((s) => s.id !== session.id));
      setMessage({ tone: "success", text: `Signed out ${deviceLabel(session)}. It will need to sign in again.` });
      void reload();
    } else if (res && res.status !== 401) {
      setMessage({ tone: "error", text: "Could not sign out that device. Try again." });
    }
  }

  async function endAll() {
    setBusy("all");
    setMessage(null);
    const result = await signOutEverywhere();
    if (result.ok) {
      router.replace("/login?reason=signed_out_everywhere");
      return;
    }
    setBusy(null);
    setMessage({ tone: "error", text: result.message ?? "Could not sign out everywhere. Try again." });
  }

  return (
    <div className="space-y-6">
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <ul
        aria-label="Signed-in devices"
        className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
      >
        {sessions.length === 0 && <li className="p-5 text-sm text-slate-700">No active sessions.</li>}
        {sessions.map((s) => (
          <li
            key={s.id}
            data-testid="device"
            data-current={s.current}
            data-client={s.client}
            className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:p-5"
          >
            <DeviceIcon type={s.client === "native" ? "app" : s.deviceType} />
            <div className="min-w-0 flex-1">
              <p className="flex flex-wrap items-center gap-2 font-semibold text-slate-900">
                {deviceLabel(s)}
                {s.client === "native" && <Badge tone="indigo">App</Badge>}
                {s.current && <Badge tone="emerald">This device</Badge>}
              </p>
              {s.client === "native" && s.dpopBound && (
                <p className="mt-0.5 text-sm text-slate-700">
                  Bound to this device&apos;s key: its tokens are useless anywhere else.
                </p>
              )}
              <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 text-sm text-slate-700">
                {s.client === "native" && (
                  <>
                    <dt className="text-slate-600">User agent</dt>
                    <dd className="font-mono break-all text-slate-800">{s.userAgent ?? "unknown"}</dd>
                  </>
                )}
                <dt className="text-slate-600">IP address</dt>
                <dd className="font-mono text-slate-800">{s.ip ?? "unknown"}</dd>
                <dt className="text-slate-600">Signed in</dt>
                <dd>
                  <LocalTime ms={s.createdAt} />
                </dd>
                <dt className="text-slate-600">Signed in with</dt>
                <dd data-testid="signed-in-with">{s.signedInWith}</dd>
                <dt className="text-slate-600">Last active</dt>
                <dd>
                  <LocalTime ms={s.lastUsedAt} withRelative />
                </dd>
              </dl>
            </div>
            <button
              type="button"
              onClick={() => end(s)}
              disabled={busy !== null}
              className={`${buttonClasses.dangerOutline} self-start sm:self-center`}
            >
              {busy === s.id ? (
                "Signing out…"
              ) : s.current ? (
                "Sign out this device"
              ) : (
                <>
                  Sign out<span className="sr-only"> {deviceLabel(s)}</span>
                </>
              )}
            </button>
          </li>
        ))}
      </ul>

      <Card
        title="Sign out everywhere"
        titleId="everywhere"
        description="Ends every session, on every device, including this one. Use it if you think someone else has access to your account."
      >
        {confirmAll ? (
          <div className="flex flex-wrap items-center gap-3" role="group" aria-label="Confirm signing out everywhere">
            <p className="w-full text-sm font-medium text-slate-900">
              Sign out all {sessions.length} sessions, this one included?
            </p>
            <button type="button" className={buttonClasses.danger} onClick={endAll} disabled={busy !== null} autoFocus>
              {busy === "all" ? "Signing out…" : "Yes, sign out everywhere"}
            </button>
            <button
              type="button"
              className={buttonClasses.secondary}
              onClick={() => setConfirmAll(false)}
              disabled={busy !== null}
            >
              Cancel
            </button>
          </div>
        ) : (
          <button
            type="button"
            className={buttonClasses.danger}
            onClick={() => setConfirmAll(true)}
            disabled={busy !== null}
          >
            Sign out everywhere
          </button>
        )}
      </Card>
    </div>
  );
}

/** The admin's view of a user's sessions (components/admin-user.tsx) names and draws them the same way. */
export { DeviceIcon, deviceLabel };
