"use client";

import { useEffect, useState } from "react";
import { useAuth } from "./auth-provider";
import { useIsClient } from "./local-time";

function format(ms: number) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, "0")} s`;
  return `${sec} s`;
}

/**
 * A live view of the access token's lifetime. It renews itself in the background: the countdown
 * jumps back up when it does, and nobody has to do anything.
 */
export function AccessExpiry() {
  const { accessExpiresAt, now, status } = useAuth();
  const isClient = useIsClient();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(id);
  }, []);
  void tick;

  if (status !== "authenticated" || accessExpiresAt === null) {
    return <p className="text-sm text-slate-700">Not signed in.</p>;
  }
  const remaining = isClient ? accessExpiresAt - now() : null;
  const expired = remaining !== null && remaining <= 0;
  const expiresAt = new Date(accessExpiresAt);
  return (
    <div data-testid="access-expiry" data-expires-at={accessExpiresAt}>
      <p className="flex flex-wrap items-baseline gap-x-2 text-sm text-slate-700">
        <span className="relative inline-flex size-2.5 self-center">
          <span
            aria-hidden="true"
            className={`absolute inline-flex size-full rounded-full ${expired ? "bg-amber-500" : "animate-ping bg-emerald-400 opacity-60"}`}
          />
          <span
            aria-hidden="true"
            className={`relative inline-flex size-2.5 rounded-full ${expired ? "bg-amber-500" : "bg-emerald-500"}`}
          />
        </span>
        {remaining === null ? (
          <span>Access pass active.</span>
        ) : expired ? (
          <span>Renewing your access pass…</span>
        ) : (
          <span>
            Access pass valid for{" "}
            <strong className="font-semibold tabular-nums text-slate-900">{format(remaining)}</strong>
          </span>
        )}
      </p>
      <p className="mt-1 text-xs text-slate-600">
        Expires at{" "}
        <time dateTime={expiresAt.toISOString()} suppressHydrationWarning>
          {isClient ? expiresAt.toLocaleTimeString() : expiresAt.toISOString().slice(11, 19) + " UTC"}
        </time>
        . It renews automatically shortly before then; you stay signed in.
      </p>
    </div>
  );
}
