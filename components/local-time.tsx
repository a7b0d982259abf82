"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

const noop = () => () => {};

/** True after hydration: lets the server render a neutral (UTC) text and the browser its own locale. */
export function useIsClient() {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

const UTC_FORMAT = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function relative(ms: number, now: number) {
  const diff = Math.round((ms - now) / 1000);
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (abs < 45) return diff <= 0 ? "just now" : "in a few seconds";
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 22 * 3600) return rtf.format(Math.round(diff / 3600), "hour");
  return rtf.format(Math.round(diff / 86400), "day");
}

/** A timestamp in the reader's time zone (UTC in the server's HTML, replaced after hydration). */
export function LocalTime({ ms, withRelative = false }: { ms: number; withRelative?: boolean }) {
  const isClient = useIsClient();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!withRelative) return;
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, [withRelative]);
  const date = new Date(ms);
  const absolute = isClient
    ? date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
    : `${UTC_FORMAT.format(date)} UTC`;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {withRelative && isClient ? `${relative(ms, now)} (${absolute})` : absolute}
    </time>
  );
}
