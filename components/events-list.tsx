import type { SecurityEvent } from "@/lib/auth/audit";
import { LocalTime } from "./local-time";

export type { SecurityEvent };

/** Events that deserve attention are marked, in words as well as colour. */
const ALERTS = new Set([
  "refresh_reuse_detected",
  "sign_in_failed",
  "password_change_failed",
  "sessions_ended_by_admin",
  "csrf_refused",
  "rate_limited",
]);

export function EventsList({
  events,
  showUser = false,
  empty = "Nothing yet.",
}: {
  events: SecurityEvent[];
  showUser?: boolean;
  empty?: string;
}) {
  if (events.length === 0) return <p className="text-sm text-slate-700">{empty}</p>;
  return (
    <ol className="divide-y divide-slate-200" data-testid="events">
      {events.map((e) => {
        const alert = ALERTS.has(e.type);
        return (
          <li key={e.id} data-event-type={e.type} className="flex gap-3 py-3 first:pt-0 last:pb-0">
            <span
              aria-hidden="true"
              className={`mt-1.5 size-2 shrink-0 rounded-full ${alert ? "bg-amber-500" : "bg-slate-300"}`}
            />
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium text-slate-900">
                {alert && <span className="sr-only">Attention: </span>}
                {e.description}
              </p>
              <p className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-600">
                <LocalTime ms={e.at} withRelative />
                {showUser && <span className="break-all">{e.email ?? "no account"}</span>}
                {e.device && <span>{e.device}</span>}
                {e.ip && <span className="font-mono">{e.ip}</span>}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
