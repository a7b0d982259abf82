"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { LocalTime } from "./local-time";
import { DeviceIcon, deviceLabel, type DeviceSession } from "./sessions-list";
import { useStepUp } from "./step-up";
import { Badge, Notice, buttonClasses } from "./ui";
import type { AdminUser } from "@/lib/auth/administration";
import { ROLES, type Role } from "@/lib/auth/roles";

type Message = { tone: "success" | "warning" | "error"; text: string };

/** An admin API's failure in words a person can act on. */
async function describeFailure(res: Response | null, fallback: string): Promise<Message> {
  if (!res) return { tone: "error", text: "Could not reach the server. Check your connection and try again." };
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  // "Confirm it's you" was cancelled (withStepUp hands back the original 401).
  if (res.status === 401 && body.error === "reauthentication_required")
    return { tone: "warning", text: "Nothing changed: this needs you to confirm it's you first." };
  if (res.status === 409 && body.error === "last_admin")
    return { tone: "error", text: "At least one enabled administrator must remain." };
  if (res.status === 401) return { tone: "error", text: "Your session ended. Sign in again." };
  if (res.status === 403) return { tone: "error", text: "Your account no longer has the administrator role." };
  if (res.status === 404) return { tone: "error", text: "Not found: it may have changed meanwhile. Reload the page." };
  return { tone: "error", text: fallback };
}

/**
 * Calls one admin action (with step-up) and keeps the page in step: on success the server
 * components render again (details, sessions, events), and the buttons stay disabled until then.
 */
function useAdminAction() {
  const router = useRouter();
  const { authFetch, refresh } = useAuth();
  const { withStepUp } = useStepUp();
  const [busy, setBusy] = useState<string | null>(null);
  const [refreshing, startRefresh] = useTransition();
  const [message, setMessage] = useState<Message | null>(null);

  async function run(
    key: string,
    url: string,
    init: RequestInit,
    words: { done: string; failed: string },
    options: { renewSession?: boolean } = {},
  ): Promise<Response | null> {
    setBusy(key);
    setMessage(null);
    const res = await withStepUp(() => authFetch(url, init)).catch(() => null);
    if (res?.ok && options.renewSession) await refresh();
    setBusy(null);
    if (res?.ok) {
      setMessage({ tone: "success", text: words.done });
      startRefresh(() => router.refresh());
      return res;
    }
    setMessage(await describeFailure(res, words.failed));
    return null;
  }

  return { run, busy, pending: busy !== null || refreshing, message };
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: body === undefined ? undefined : { "Content-Type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const ROLE_NAMES: Record<Role, string> = { user: "User", admin: "Administrator" };

type Confirming = null | "role" | "disable" | "enable" | "reset-two-factor";

/**
 * The actions on one account: change the role, disable or enable it, turn two-step off. Each asks
 * to confirm first. `isSelf`: the admin is looking at their own account.
 */
export function AdminUserActions({ user, isSelf }: { user: AdminUser; isSelf: boolean }) {
  const router = useRouter();
  const { run, busy, pending, message } = useAdminAction();
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [role, setRole] = useState<Role>(user.role);
  const who = isSelf ? "your own account" : user.email;

  async function changeRole() {
    const res = await run(
      "role",
      `/api/admin/users/${encodeURIComponent(user.id)}`,
      json("PATCH", { role }),
      {
        done: `${isSelf ? "Your" : `${user.email}'s`} role is now ${ROLE_NAMES[role]}. ${isSelf ? "It applies" : "It applies to their devices"} at once.`,
        failed: "Could not change the role. Try again.",
      },
      // One's own new role stops one's own access token: renew it before the page renders again.
      { renewSession: isSelf },
    );
    setConfirming(null);
    if (!res) setRole(user.role);
  }

  async function setDisabled(disabled: boolean) {
    const action = disabled ? "disable" : "enable";
    const res = await run(action, `/api/admin/users/${encodeURIComponent(user.id)}/${action}`, json("POST"), {
      done: disabled
        ? `Disabled ${user.email}: every session ended and signing in is refused until the account is enabled again.`
        : `Enabled ${user.email}: they can sign in again.`,
      failed: `Could not ${action} the account. Try again.`,
    });
    setConfirming(null);
    if (res && disabled && isSelf) router.replace("/login?reason=ended");
  }

  async function resetTwoFactor() {
    await run("reset-two-factor", `/api/admin/users/${encodeURIComponent(user.id)}/reset-two-factor`, json("POST"), {
      done: `Two-step verification is off for ${user.email}; they were mailed about it.`,
      failed: "Could not turn off two-step verification. Try again.",
    });
    setConfirming(null);
  }

  const cancel = (
    <button type="button" className={buttonClasses.secondary} onClick={() => setConfirming(null)} disabled={pending}>
      Cancel
    </button>
  );

  return (
    <div className="space-y-5">
      {message && <Notice tone={message.tone}>{message.text}</Notice>}

      <div className="space-y-2">
        {confirming === "role" ? (
          <ConfirmGroup
            label="Confirm the role change"
            question={
              role === "admin"
                ? `Make ${who} an administrator? They get the admin area and every action on it.`
                : `Make ${who} a regular user? ${isSelf ? "You lose" : "They lose"} the admin area at once.`
            }
          >
            <button type="button" className={buttonClasses.primary} onClick={changeRole} disabled={pending} autoFocus>
              {busy === "role" && <Spinner />}
              {busy === "role" ? "Changing role…" : "Yes, change role"}
            </button>
            {cancel}
          </ConfirmGroup>
        ) : (
          <form
            className="flex flex-wrap items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (role !== user.role) setConfirming("role");
            }}
          >
            <div>
              <label htmlFor="admin-user-role" className="block text-sm font-semibold text-slate-900">
                Role
              </label>
              <select
                id="admin-user-role"
                value={role}
                onChange={(e) => setRole(e.target.value as Role)}
                disabled={pending}
                className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-600 focus:ring-2 focus:ring-indigo-600/30 focus:outline-none"
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_NAMES[r]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className={buttonClasses.secondary} disabled={pending || role === user.role}>
              Change role
            </button>
          </form>
        )}
      </div>

      <div className="space-y-2">
        <h3 className="text-sm font-semibold text-slate-900">Account</h3>
        {confirming === "disable" ? (
          <ConfirmGroup
            label="Confirm disabling the account"
            question={`Disable ${who}? Every session ends at once and signing in is refused until the account is enabled again.`}
          >
            <button
              type="button"
              className={buttonClasses.danger}
              onClick={() => setDisabled(true)}
              disabled={pending}
              autoFocus
            >
              {busy === "disable" && <Spinner />}
              {busy === "disable" ? "Disabling…" : "Yes, disable account"}
            </button>
            {cancel}
          </ConfirmGroup>
        ) : confirming === "enable" ? (
          <ConfirmGroup label="Confirm enabling the account" question={`Enable ${who}? Signing in works again.`}>
            <button
              type="button"
              className={buttonClasses.primary}
              onClick={() => setDisabled(false)}
              disabled={pending}
              autoFocus
            >
              {busy === "enable" && <Spinner />}
              {busy === "enable" ? "Enabling…" : "Yes, enable account"}
            </button>
            {cancel}
          </ConfirmGroup>
        ) : user.disabled ? (
          <button
            type="button"
            className={buttonClasses.secondary}
            onClick={() => setConfirming("enable")}
            disabled={pending}
          >
            Enable account
          </button>
        ) : (
          <button
            type="button"
            className={buttonClasses.dangerOutline}
            onClick={() => setConfirming("disable")}
            disabled={pending}
          >
            Disable account
          </button>
        )}
      </div>

      {user.twoFactor && (
        <div className="space-y-2">
          <h3 className="text-sm font-semibold text-slate-900">Two-step verification</h3>
          {confirming === "reset-two-factor" ? (
            <ConfirmGroup
              label="Confirm resetting two-step verification"
              question={`Turn off two-step verification for ${who}? Signing in then needs the password alone until it is set up again. They are mailed about it.`}
            >
              <button
                type="button"
                className={buttonClasses.danger}
                onClick={resetTwoFactor}
                disabled={pending}
                autoFocus
              >
                {busy === "reset-two-factor" && <Spinner />}
                {busy === "reset-two-factor" ? "Resetting…" : "Yes, reset two-step"}
              </button>
              {cancel}
            </ConfirmGroup>
          ) : (
            <>
              <p className="text-sm text-slate-700">For a lost phone without recovery codes.</p>
              <button
                type="button"
                className={buttonClasses.dangerOutline}
                onClick={() => setConfirming("reset-two-factor")}
                disabled={pending}
              >
                Reset two-step
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function ConfirmGroup({ label, question, children }: { label: string; question: string; children: React.ReactNode }) {
  return (
    <div
      role="group"
      aria-label={label}
      className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-slate-50 p-3"
    >
      <p className="w-full text-sm font-medium text-slate-900">{question}</p>
      {children}
    </div>
  );
}

/**
 * The user's sessions (what they see as devices), newest activity first: how each signed in,
 * when it was last used, and "End session" per row; "End all sessions" signs them out everywhere.
 */
export function AdminUserSessions({
  user,
  sessions,
  isSelf,
}: {
  user: Pick<AdminUser, "id" | "email">;
  sessions: DeviceSession[];
  isSelf: boolean;
}) {
  const router = useRouter();
  const { run, busy, pending, message } = useAdminAction();
  const [confirmAll, setConfirmAll] = useState(false);

  async function end(session: DeviceSession) {
    const res = await run(
      session.id,
      `/api/admin/users/${encodeURIComponent(user.id)}/sessions/${encodeURIComponent(session.id)}`,
      json("DELETE"),
      {
        done: `Ended the session on ${deviceLabel(session)}: that device must sign in again.`,
        failed: "Could not end that session. Try again.",
      },
    );
    if (res && session.current) router.replace("/login?reason=ended");
  }

  async function endAll() {
    const res = await run("all", `/api/admin/users/${encodeURIComponent(user.id)}/end-sessions`, json("POST"), {
      done: `Ended every session of ${user.email}: each device must sign in again.`,
      failed: "Could not end the sessions. Try again.",
    });
    setConfirmAll(false);
    if (res && isSelf) router.replace("/login?reason=ended");
  }

  return (
    <div className="space-y-4">
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      {sessions.length === 0 ? (
        <p className="text-sm text-slate-700">No active sessions: this account is signed in nowhere.</p>
      ) : (
        <ul aria-label="Sessions" className="divide-y divide-slate-200 rounded-lg border border-slate-200">
          {sessions.map((s) => (
            <li
              key={s.id}
              data-testid="admin-session"
              className="flex flex-col gap-3 p-3 sm:flex-row sm:items-center sm:p-4"
            >
              <DeviceIcon type={s.client === "native" ? "app" : s.deviceType} />
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-2 font-semibold text-slate-900">
                  {deviceLabel(s)}
                  {s.client === "native" && <Badge tone="indigo">App</Badge>}
                  {s.current && <Badge tone="emerald">Your current session</Badge>}
                </p>
                <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 text-sm text-slate-700">
                  <dt className="text-slate-600">Signed in with</dt>
                  <dd>{s.signedInWith}</dd>
                  <dt className="text-slate-600">Signed in</dt>
                  <dd>
                    <LocalTime ms={s.createdAt} />
                  </dd>
                  <dt className="text-slate-600">Last used</dt>
                  <dd>
                    <LocalTime ms={s.lastUsedAt} withRelative />
                  </dd>
                  <dt className="text-slate-600">IP address</dt>
                  <dd className="font-mono text-slate-800">{s.ip ?? "unknown"}</dd>
                </dl>
              </div>
              <button
                type="button"
                onClick={() => end(s)}
                disabled={pending}
                className={`${buttonClasses.dangerOutline} self-start sm:self-center`}
              >
                {busy === s.id ? (
                  "Ending…"
                ) : (
                  <>
                    End session<span className="sr-only"> on {deviceLabel(s)}</span>
                  </>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
      {sessions.length > 0 &&
        (confirmAll ? (
          <ConfirmGroup
            label="Confirm ending every session"
            question={`End all ${sessions.length} ${sessions.length === 1 ? "session" : "sessions"} of ${isSelf ? "your account, this one included" : user.email}? Each device must sign in again.`}
          >
            <button type="button" className={buttonClasses.danger} onClick={endAll} disabled={pending} autoFocus>
              {busy === "all" && <Spinner />}
              {busy === "all" ? "Ending sessions…" : "Yes, end all sessions"}
            </button>
            <button
              type="button"
              className={buttonClasses.secondary}
              onClick={() => setConfirmAll(false)}
              disabled={pending}
            >
              Cancel
            </button>
          </ConfirmGroup>
        ) : (
          <button type="button" className={buttonClasses.danger} onClick={() => setConfirmAll(true)} disabled={pending}>
            End all sessions
          </button>
        ))}
    </div>
  );
}
