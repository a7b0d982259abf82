"use client";

import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { authFetch, getAuthController, type AuthController, type RefreshAttempt } from "@/lib/client";
import type { AuthenticatedSessionState, ClientAuthState, SignOutReason } from "@/lib/client/types";
import { isProtectedPath } from "@/lib/routing/protected-paths";

export type AuthContextValue = {
  state: ClientAuthState;
  status: ClientAuthState["status"];
  user: AuthenticatedSessionState["user"] | null;
  role: AuthenticatedSessionState["user"]["role"] | null;
  /** When the access token expires (ms since the epoch, server clock), or null when signed out. */
  accessExpiresAt: number | null;
  /** The current time on the server's clock (for countdowns against accessExpiresAt). */
  now: () => number;
  /** Take the access state a sign-in, sign-up or password change answered with. */
  acceptState: (state: AuthenticatedSessionState) => void;
  /** Renew the access token now (single-flight, one tab at a time). */
  refresh: () => Promise<RefreshAttempt>;
  /** End this session (every tab of this browser follows). The caller decides where to go next. */
  signOut: () => Promise<void>;
  /** End every session of this user, this one included. */
  signOutEverywhere: () => Promise<{ ok: boolean; message?: string }>;
  /** fetch for the app's own API with silent refresh and one retry on 401. */
  authFetch: typeof authFetch;
};

const AuthContext = createContext<AuthContextValue | null>(null);

const noopSubscribe = () => () => {};

/**
 * Keeps the access state (user, role, expiry, status) in memory and the session alive. Seeded by
 * the server on first render, so a signed-in page never flashes a signed-out state. Tokens stay in
 * their httpOnly cookies. The machinery itself lives in lib/client (no React there).
 */
export function AuthProvider({
  initial,
  serverNow,
  children,
}: {
  initial: ClientAuthState;
  serverNow: number;
  children: React.ReactNode;
}) {
  const router = useRouter();
  const [controller] = useState<AuthController | null>(() => getAuthController(initial, serverNow));
  const state = useSyncExternalStore(
    controller?.subscribe ?? noopSubscribe,
    controller ? controller.getSnapshot : () => initial,
    () => initial,
  );

  const routerRef = useRef(router);
  useEffect(() => {
    routerRef.current = router;
  }, [router]);

  useEffect(() => {
    if (!controller) return;
    controller.start({
      onSignedOut(reason: SignOutReason, origin) {
        const r = routerRef.current;
        const { pathname, search } = window.location;
        if (reason === "reuse") {
          if (pathname !== "/session-ended") r.replace("/session-ended");
          return;
        }
        // This tab's own "Sign out" button decides where to go next.
        if (origin === "this-tab" && (reason === "signed_out" || reason === "signed_out_everywhere")) return;
        if (isProtectedPath(pathname)) {
          const why = origin === "other-tab" && reason !== "ended" ? `${reason}_elsewhere` : reason;
          r.replace(`/login?next=${encodeURIComponent(pathname + search)}&reason=${why}`);
        } else {
          r.refresh();
        }
      },
      onSignedIn() {
        routerRef.current.refresh();
      },
    });
    return () => controller.stop();
  }, [controller]);

  // The layout re-renders on router.refresh(): take the server's view when it is newer.
  useEffect(() => {
    controller?.adoptServerSeed(initial, serverNow);
  }, [controller, initial, serverNow]);

  const value = useMemo<AuthContextValue>(() => {
    const authed = state.status === "authenticated" ? state : null;
    return {
      state,
      status: state.status,
      user: authed?.user ?? null,
      role: authed?.user.role ?? null,
      accessExpiresAt: authed?.accessExpiresAt ?? null,
      now: () => (controller ? controller.now() : Date.now()),
      acceptState: (s) => controller?.accept(s),
      refresh: () => (controller ? controller.refresh() : Promise.resolve({ ok: false, reason: "network" } as const)),
      signOut: async () => {
        await controller?.signOut(false);
      },
      signOutEverywhere: () => (controller ? controller.signOut(true) : Promise.resolve({ ok: false })),
      authFetch,
    };
  }, [state, controller]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth must be used inside <AuthProvider>");
  return ctx;
}
