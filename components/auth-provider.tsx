"use client";

import { createContext, useCallback, useContext, useMemo, useState } from "react";
import type { AccessState } from "./auth-types";

type AuthContextValue = {
  state: AccessState;
  /** Replace the in-memory state after a sign-in or refresh response. */
  setState: (state: AccessState) => void;
  signOut: () => Promise<void>;
};

const AuthContext = createContext<AuthContextValue | null>(null);

/** Keeps the access state (user, expiry, status) in memory. Tokens stay in httpOnly cookies. */
export function AuthProvider({ initial, children }: { initial: AccessState; children: React.ReactNode }) {
  const [state, setState] = useState<AccessState>(initial);

  const signOut = useCallback(async () => {
    await fetch("/api/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
    setState({ status: "unauthenticated" });
  }, []);

  const value = useMemo(() => ({ state, setState, signOut }), [state, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth must be used inside <AuthProvider>");
  return ctx;
}
