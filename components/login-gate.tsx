"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useAuth } from "./auth-provider";
import type { AccessState } from "./auth-types";

/**
 * Before showing the sign-in form, try a silent refresh: someone whose access token expired but
 * whose refresh cookie is alive goes straight back to `next` without typing a password.
 */
export function LoginGate({ next, children }: { next: string; children: React.ReactNode }) {
  const router = useRouter();
  const { setState } = useAuth();
  const [checking, setChecking] = useState(true);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return; // StrictMode mounts twice in development: refresh once.
    started.current = true;
    fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" })
      .then(async (res) => {
        if (res.ok) {
          setState((await res.json()) as AccessState);
          router.replace(next);
          router.refresh();
        } else {
          setChecking(false);
        }
      })
      .catch(() => setChecking(false));
  }, [next, router, setState]);

  if (checking) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Checking for an existing session…
      </p>
    );
  }
  return <>{children}</>;
}
