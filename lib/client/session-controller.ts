import { fetchWithRefresh } from "@/lib/client/auth-fetch";
import { withRefreshLock } from "@/lib/client/refresh-lock";
import { refreshDueAt, ServerClock } from "@/lib/client/schedule";
import {
  fetchSessionState,
  postLogout,
  postRefresh,
  timeoutSignal,
  type RefreshAttempt,
} from "@/lib/client/server-calls";
import { openTabChannel, type TabMessage } from "@/lib/client/tab-channel";
import {
  isAuthenticated,
  isSessionState,
  type AuthenticatedSessionState,
  type ClientAuthState,
  type SignOutReason,
} from "@/lib/client/types";

/** The page's session: state in memory, refresh scheduling, cross-tab coordination (see lib/client/index.ts). */
export type AuthHooks = {
  /** The session is over. `origin` says whether this tab found out or another tab told us. */
  onSignedOut(reason: SignOutReason, origin: "this-tab" | "other-tab"): void;
  /** Another tab signed in (or in as someone else): the page should re-render from the server. */
  onSignedIn(): void;
};

/** A token another tab just obtained counts as fresh when it has at least this long to live. */
const FRESH_ENOUGH_MS = 1_500;
/** Refreshes triggered by the timer are never closer together than this. */
const MIN_REFRESH_GAP_MS = 1_000;

export class AuthController {
  private state: ClientAuthState;
  private readonly listeners = new Set<() => void>();
  private readonly clock = new ServerClock();
  /** When (server clock) the current access token should be renewed. */
  private refreshAt = 0;
  private lastRefreshAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = 0;
  private inflight: Promise<RefreshAttempt> | null = null;
  private channel: ReturnType<typeof openTabChannel> | null = null;
  private mounts = 0;
  private hooks: AuthHooks | null = null;
  /** Server-clock time of the last sign-out this tab saw; older server seeds are ignored. */
  private signedOutAt = 0;
  private readonly tabId = Math.random().toString(36).slice(2);

  constructor(initial: ClientAuthState, serverNow?: number) {
    this.state = initial;
    if (serverNow) this.clock.note(serverNow);
    this.planRefresh();
  }

  // ---- state for React (useSyncExternalStore) ----

  getSnapshot = (): ClientAuthState => this.state;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Milliseconds, on the server's clock. */
  now(): number {
    return this.clock.now();
  }

  private set(next: ClientAuthState) {
    this.state = next;
    this.planRefresh();
    this.schedule();
    for (const l of this.listeners) l();
  }

  // ---- lifecycle (idempotent: React StrictMode mounts, unmounts and mounts again) ----

  start(hooks: AuthHooks) {
    this.hooks = hooks;
    if (this.mounts++ > 0) return;
    this.channel = openTabChannel((msg) => this.onMessage(msg));
    document.addEventListener("visibilitychange", this.onWake);
    document.addEventListener("resume", this.onWake);
    window.addEventListener("focus", this.onWake);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("pageshow", this.onWake);
    this.schedule();
  }

  stop() {
    if (--this.mounts > 0) return;
    this.channel?.close();
    this.channel = null;
    document.removeEventListener("visibilitychange", this.onWake);
    document.removeEventListener("resume", this.onWake);
    window.removeEventListener("focus", this.onWake);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("pageshow", this.onWake);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // ---- scheduling ----

  private planRefresh() {
    if (isAuthenticated(this.state)) this.refreshAt = refreshDueAt(this.state.accessExpiresAt, this.now());
  }

  private schedule() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.mounts === 0 || !isAuthenticated(this.state)) return;
    const now = this.now();
    let due = this.retryDelay > 0 ? now + this.retryDelay : this.refreshAt;
    due = Math.max(due, this.lastRefreshAt + MIN_REFRESH_GAP_MS);
    const delay = Math.min(Math.max(0, due - now), 2_147_000_000);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private onWake = () => {
    if (document.visibilityState === "hidden" || !isAuthenticated(this.state)) return;
    if (this.now() >= this.refreshAt) void this.refresh();
  };

  private onOnline = () => {
    if (!isAuthenticated(this.state)) return;
    if (this.retryDelay > 0 || this.now() >= this.refreshAt) void this.refresh();
  };

  // ---- refreshing ----

  /**
   * Single-flight: every caller in this tab shares one refresh. Across tabs, the refresh runs
   * under a lock; a tab that had to wait first asks whether the tab before it already renewed the
   * (shared) cookie, and only refreshes itself if not.
   */
  refresh(): Promise<RefreshAttempt> {
    this.inflight ??= this.runRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async runRefresh(): Promise<RefreshAttempt> {
    const before = this.state;
    return withRefreshLock(async (waited) => {
      let outcome: RefreshAttempt | null = null;
      if (waited) {
        const current = await fetchSessionState();
        if (current && current.accessExpiresAt - this.now() > FRESH_ENOUGH_MS) outcome = { ok: true, state: current };
      }
      outcome ??= await postRefresh((res) => this.clock.noteFrom(res));
      // Applied while still holding the lock, so the new state is broadcast before the next tab goes.
      this.apply(outcome, before);
      return outcome;
    }, this.tabId);
  }

  private apply(outcome: RefreshAttempt, before: ClientAuthState) {
    this.lastRefreshAt = this.now();
    if (outcome.ok) {
      this.retryDelay = 0;
      const signedInNow = !isAuthenticated(this.state) || this.state.user.id !== outcome.state.user.id;
      this.accept(outcome.state);
      if (signedInNow && isAuthenticated(before)) this.hooks?.onSignedIn();
      return;
    }
    if (outcome.reason === "network") {
      // Keep the user signed in and try again with backoff (or as soon as we are back online).
      if (isAuthenticated(this.state)) {
        this.retryDelay = Math.min(30_000, Math.max(2_000, this.retryDelay * 2));
        this.schedule();
      }
      return;
    }
    this.retryDelay = 0;
    if (outcome.reason === "reuse") {
      this.endLocally("reuse", "this-tab");
    } else if (isAuthenticated(before) || isAuthenticated(this.state)) {
      this.endLocally("ended", "this-tab");
    } else {
      // A probe on the sign-in page that found no live session: nothing to sign out from.
      this.set({ status: "unauthenticated", ...(outcome.reason === "ended" ? { reason: "ended" as const } : {}) });
    }
  }

  // ---- transitions ----

  /** A fresh access state from the server (sign-in, refresh, password change): keep it, tell the other tabs. */
  accept(state: AuthenticatedSessionState) {
    this.retryDelay = 0;
    this.set(state);
    this.post({ type: "state", state });
  }

  private endLocally(reason: SignOutReason, origin: "this-tab" | "other-tab") {
    this.signedOutAt = this.now();
    this.retryDelay = 0;
    this.set({ status: "unauthenticated", reason });
    if (origin === "this-tab") this.post({ type: "signed-out", reason });
    this.hooks?.onSignedOut(reason, origin);
  }

  /**
   * Signs out: waits for any refresh in flight (in this tab or another, via the lock) so a late
   * refresh cannot put cookies back, then ends the session and tells every tab.
   */
  async signOut(everywhere = false): Promise<{ ok: boolean; message?: string }> {
    await this.inflight?.catch(() => undefined);
    if (everywhere) {
      // Needs a valid access token: fetchWithRefresh renews it first if it has to.
      const res = await fetchWithRefresh(this, "/api/auth/logout-all", {
        method: "POST",
        signal: timeoutSignal(),
      }).catch(() => null);
      if (!res) return { ok: false, message: "Could not reach the server. Check your connection and try again." };
      if (!res.ok && res.status !== 401) {
        const body = (await res.json().catch(() => null)) as { message?: string } | null;
        return { ok: false, message: body?.message ?? "Could not sign out everywhere. Try again." };
      }
    } else {
      await withRefreshLock(postLogout, this.tabId);
    }
    this.endLocally(everywhere ? "signed_out_everywhere" : "signed_out", "this-tab");
    return { ok: true };
  }

  /** The server re-rendered the layout (router.refresh): take its state when it is newer. */
  adoptServerSeed(seed: ClientAuthState, serverNow: number) {
    if (isAuthenticated(seed)) {
      if (serverNow <= this.signedOutAt) return; // rendered before we signed out
      const current = this.state;
      if (
        !isAuthenticated(current) ||
        current.user.id !== seed.user.id ||
        seed.accessExpiresAt > current.accessExpiresAt
      ) {
        this.set(seed);
      }
    } else if (isAuthenticated(this.state) && this.now() > this.lastRefreshAt + MIN_REFRESH_GAP_MS) {
      // The server no longer accepts our access cookie: find out for sure (refresh or sign out).
      void this.refresh();
    }
  }

  private onMessage(msg: TabMessage) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "state" && isSessionState(msg.state)) {
      const current = this.state;
      const newUser = !isAuthenticated(current) || current.user.id !== msg.state.user.id;
      if (newUser || msg.state.accessExpiresAt > current.accessExpiresAt) {
        this.retryDelay = 0;
        this.set(msg.state);
      }
      if (newUser) this.hooks?.onSignedIn();
    } else if (msg.type === "signed-out") {
      if (isAuthenticated(this.state)) this.endLocally(msg.reason, "other-tab");
    }
  }

  private post(msg: TabMessage) {
    this.channel?.post(msg);
  }
}
