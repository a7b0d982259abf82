"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { Field } from "./field";
import { Notice, buttonClasses } from "./ui";

/** Admin: sign a user out everywhere, by email. */
export function AdminEndSessionsForm() {
  const router = useRouter();
  const { authFetch } = useAuth();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const email = String(new FormData(formEl).get("email") ?? "").trim();
    setDone(null);
    if (!email) {
      setError("Enter the email address of the account.");
      return;
    }
    setError(null);
    setPending(true);
    try {
      const res = await authFetch("/api/admin/end-sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email }),
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) {
        setError(data.message ?? "Could not end the sessions. Try again.");
        return;
      }
      formEl.reset();
      setDone(
        `Signed out ${data.user.email} everywhere: ${data.ended} active ${data.ended === 1 ? "session" : "sessions"} ended. ` +
          "Their devices will be asked to sign in again at their next request.",
      );
      if (data.self) router.replace("/login?reason=ended");
      else router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-busy={pending}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex-1">
          <Field label="Account email" name="email" type="email" autoComplete="off" error={error} />
        </div>
        <button type="submit" disabled={pending} className={`${buttonClasses.danger} ${error ? "sm:mb-7" : ""}`}>
          {pending && <Spinner />}
          {pending ? "Ending sessions…" : "End all sessions"}
        </button>
      </div>
      {done && <Notice tone="success">{done}</Notice>}
    </form>
  );
}
