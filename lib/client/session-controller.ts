import type { AccessState, AuthenticatedState, SignOutReason } from "@/lib/client/types";

/**
 * The browser side of the token machinery, without React (the provider wraps it).
 *
 * - The access state (user, role, expiry, status) lives in memory here. Tokens never do: they
 *   stay in their httpOnly cookies and no code in the page can read them.
 * - A refresh is scheduled shortly before the access token expires (with jitter), and happens on
 *   demand when a request answers 401. Within a tab it is single-flight; across tabs only one tab
 *   refreshes at a time (Web Locks, a lease fallback, and a timeout so a stuck lock never blocks).
 * - Tabs tell each other about new state and sign-outs over a BroadcastChannel.
 * - Waking up (visibilitychange, focus, online, pageshow, resume) checks the expiry and refreshes
 *   when due, so a tab that slept past expiry recovers without an error.
 */

export type RefreshOutcome =
  | { ok: true; state: AuthenticatedState }
  | { ok: false; reason: "reuse" | "ended" | "none" | "network" };

export type AuthHooks = {
  /** The session is over. `origin` says whether this tab found out or another tab told us. */
  onSignedOut(reason: SignOutReason, origin: "this-tab" | "other-tab"): void;
  /** Another tab signed in (or in as someone else): the page should re-render from the server. */
  onSignedIn(): void;
};

type Message =
  | { type: "state"; state: AuthenticatedState }
  | { type: "signed-out"; reason: SignOutReason };

const CHANNEL_NAME = "auth-starter:auth";
const LOCK_NAME = "auth-starter:refresh";
const LEASE_KEY = "auth-starter:refresh-lease";
/** How long a tab waits for another tab's refresh before going ahead on its own. */
const LOCK_TIMEOUT_MS = 10_000;
/** A refresh request that takes longer than this is abandoned (and the lock released). */
const REQUEST_TIMEOUT_MS = 15_000;
/** A token another tab just obtained counts as fresh when it has at least this long to live. */
const FRESH_ENOUGH_MS = 1_500;
/** Refreshes triggered by the timer are never closer together than this. */
const MIN_REFRESH_GAP_MS = 1_000;
/** Clock differences below this are noise (the Date header has one-second precision). */
const SKEW_THRESHOLD_MS = 3_000;
const AUTH_ROUTES_WITHOUT_RETRY = /^\/api\/auth\/(refresh|login|register|logout)(\/|$)/;

function isAuthenticated(s: AccessState): s is AuthenticatedState {
  return s.status === "authenticated";
}

function isAccessState(value: unknown): value is AuthenticatedState {
  const v = value as AuthenticatedState | null;
  return !!v && v.status === "authenticated" && typeof v.accessExpiresAt === "number" && !!v.user && typeof v.sessionId === "string";
}

function timeoutSignal(ms: number): AbortSignal | undefined {
  return typeof AbortSignal !== "undefined" && "timeout" in AbortSignal ? AbortSignal.timeout(ms) : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AuthController {
  private state: AccessState;
  private readonly listeners = new Set<() => void>();
  /** Server clock minus local clock, when they differ by more than noise. */
  private skew = 0;
  /** When (server clock) the current access token should be renewed. */
  private refreshAt = 0;
  private lastRefreshAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = 0;
  private inflight: Promise<RefreshOutcome> | null = null;
  private channel: BroadcastChannel | null = null;
  private mounts = 0;
  private hooks: AuthHooks | null = null;
  /** Server-clock time of the last sign-out this tab saw; older server seeds are ignored. */
  private signedOutAt = 0;
  private readonly tabId = Math.random().toString(36).slice(2);

  constructor(initial: AccessState, serverNow?: number) {
    this.state = initial;
    if (serverNow) this.noteSkew(serverNow - Date.now());
    this.planRefresh();
  }

  // ---- state for React (useSyncExternalStore) ----

  getSnapshot = (): AccessState => this.state;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Milliseconds, on the server's clock. */
  now(): number {
    return Date.now() + this.skew;
  }

  private set(next: AccessState) {
    this.state = next;
    this.planRefresh();
    this.schedule();
    for (const l of this.listeners) l();
  }

  // ---- lifecycle (idempotent: React StrictMode mounts, unmounts and mounts again) ----

  start(hooks: AuthHooks) {
    this.hooks = hooks;
    if (this.mounts++ > 0) return;
    if (typeof BroadcastChannel !== "undefined") {
      this.channel = new BroadcastChannel(CHANNEL_NAME);
      this.channel.onmessage = (e: MessageEvent<Message>) => this.onMessage(e.data);
    }
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

  /** Renew at 75% of the remaining lifetime (at most a minute early), minus up to 10% jitter. */
  private planRefresh() {
    if (!isAuthenticated(this.state)) return;
    const now = this.now();
    const remaining = this.state.accessExpiresAt - now;
    if (remaining <= 0) {
      this.refreshAt = now;
      return;
    }
    const lead = Math.min(60_000, Math.max(remaining * 0.25, Math.min(1_000, remaining * 0.5)));
    const jitter = Math.random() * Math.min(remaining * 0.1, 10_000);
    this.refreshAt = this.state.accessExpiresAt - lead - jitter;
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

  private noteSkew(estimate: number) {
    this.skew = Math.abs(estimate) > SKEW_THRESHOLD_MS ? estimate : 0;
  }

  private noteSkewFrom(res: Response) {
    const date = res.headers.get("date");
    const server = date ? Date.parse(date) : NaN;
    if (!Number.isNaN(server)) this.noteSkew(server + 500 - Date.now());
  }

  // ---- refreshing ----

  /**
   * Single-flight: every caller in this tab shares one refresh. Across tabs, the refresh runs
   * under a lock; a tab that had to wait first asks whether the tab before it already renewed the
   * (shared) cookie, and only refreshes itself if not.
   */
  refresh(): Promise<RefreshOutcome> {
    this.inflight ??= this.runRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async runRefresh(): Promise<RefreshOutcome> {
    const before = this.state;
    return withRefreshLock(async (waited) => {
      let outcome: RefreshOutcome | null = null;
      if (waited) {
        const current = await this.fetchSessionState();
        if (current && current.accessExpiresAt - this.now() > FRESH_ENOUGH_MS) outcome = { ok: true, state: current };
      }
      outcome ??= await this.postRefresh();
      // Applied while still holding the lock, so the new state is broadcast before the next tab goes.
      this.apply(outcome, before);
      return outcome;
    }, this.tabId);
  }

  private async postRefresh(): Promise<RefreshOutcome> {
    try {
      const res = await fetch("/api/auth/refresh", {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        // keepalive: if the user navigates away or closes the tab mid-request, the browser still
        // completes it and stores the rotated cookie. Aborting it instead would leave the old,
        // already-rotated token in the jar, and its next use would be flagged as reuse.
        keepalive: true,
        signal: timeoutSignal(REQUEST_TIMEOUT_MS),
      });
      this.noteSkewFrom(res);
      const body: unknown = await res.json().catch(() => null);
      if (res.ok && isAccessState(body)) return { ok: true, state: body };
      if (res.status === 401) {
        const code = (body as { error?: string } | null)?.error;
        return { ok: false, reason: code === "session_revoked_reuse" ? "reuse" : code === "no_session" ? "none" : "ended" };
      }
      // 429, 5xx, a proxy error page: not the user's fault and not a sign-out. Try again later.
      return { ok: false, reason: "network" };
    } catch {
      return { ok: false, reason: "network" };
    }
  }

  /** The access state behind the current cookies (GET /api/auth/session does the full check). */
  private async fetchSessionState(): Promise<AuthenticatedState | null> {
    try {
      const res = await fetch("/api/auth/session", { credentials: "same-origin", cache: "no-store", signal: timeoutSignal(REQUEST_TIMEOUT_MS) });
      const body: unknown = await res.json().catch(() => null);
      return res.ok && isAccessState(body) ? body : null;
    } catch {
      return null;
    }
  }

  private apply(outcome: RefreshOutcome, before: AccessState) {
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
  accept(state: AuthenticatedState) {
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
      // Needs a valid access token: this.fetch renews it first if it has to.
      const res = await this.fetch("/api/auth/logout-all", { method: "POST", signal: timeoutSignal(REQUEST_TIMEOUT_MS) }).catch(() => null);
      if (!res) return { ok: false, message: "Could not reach the server. Check your connection and try again." };
      if (!res.ok && res.status !== 401) {
        const body = (await res.json().catch(() => null)) as { message?: string } | null;
        return { ok: false, message: body?.message ?? "Could not sign out everywhere. Try again." };
      }
    } else {
      await withRefreshLock(
        () =>
          fetch("/api/auth/logout", { method: "POST", credentials: "same-origin", keepalive: true, signal: timeoutSignal(REQUEST_TIMEOUT_MS) }).catch(
            () => null,
          ),
        this.tabId,
      );
    }
    this.endLocally(everywhere ? "signed_out_everywhere" : "signed_out", "this-tab");
    return { ok: true };
  }

  /** The server re-rendered the layout (router.refresh): take its state when it is newer. */
  adoptServerSeed(seed: AccessState, serverNow: number) {
    if (isAuthenticated(seed)) {
      if (serverNow <= this.signedOutAt) return; // rendered before we signed out
      const current = this.state;
      if (!isAuthenticated(current) || current.user.id !== seed.user.id || seed.accessExpiresAt > current.accessExpiresAt) {
        this.set(seed);
      }
    } else if (isAuthenticated(this.state) && this.now() > this.lastRefreshAt + MIN_REFRESH_GAP_MS) {
      // The server no longer accepts our access cookie: find out for sure (refresh or sign out).
      void this.refresh();
    }
  }

  private onMessage(msg: Message) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "state" && isAccessState(msg.state)) {
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

  private post(msg: Message) {
    try {
      this.channel?.postMessage(msg);
    } catch {
      // A closed channel (tab going away): nothing to tell.
    }
  }

  // ---- requests ----

  /**
   * fetch for same-origin API calls: refreshes first when the access token is known to be
   * expired, and on a 401 refreshes once (shared with every other caller) and retries once.
   */
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, { credentials: "same-origin", ...init });
    const path = new URL(request.url, window.location.href).pathname;
    const retryable = !AUTH_ROUTES_WITHOUT_RETRY.test(path);
    if (retryable && isAuthenticated(this.state) && this.state.accessExpiresAt - this.now() < 500) await this.refresh();
    const first = await fetch(request.clone());
    if (first.status !== 401 || !retryable) return first;
    const outcome = await this.refresh();
    if (!outcome.ok) return first;
    return fetch(request);
  }
}

/**
 * Runs fn while holding the cross-tab refresh lock. fn learns whether it had to wait for another
 * tab. Web Locks where available; elsewhere a short localStorage lease (a lock marker, never a
 * token). A lock held longer than LOCK_TIMEOUT_MS is given up on: fn runs anyway, and the server's
 * reuse grace window keeps a concurrent refresh safe.
 */
export async function withRefreshLock<T>(fn: (waited: boolean) => Promise<T>, owner: string): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (locks?.request) {
    const busy = Symbol("busy");
    let result: T | typeof busy;
    let ran = false;
    try {
      result = await locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => {
        if (!lock) return busy;
        ran = true;
        return fn(false);
      });
    } catch (error) {
      if (ran) throw error;
      return fn(false); // locks unusable here (e.g. an opaque origin)
    }
    if (result !== busy) return result;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), LOCK_TIMEOUT_MS);
    let started = false;
    try {
      return await locks.request(LOCK_NAME, { signal: abort.signal }, () => {
        started = true;
        clearTimeout(timer);
        return fn(true);
      });
    } catch (error) {
      if (started) throw error;
      return fn(true); // the lock is stuck: go ahead without it
    } finally {
      clearTimeout(timer);
    }
  }
  return withLease(fn, owner);
}

async function withLease<T>(fn: (waited: boolean) => Promise<T>, owner: string): Promise<T> {
  let storage: Storage;
  try {
    storage = window.localStorage;
    storage.getItem(LEASE_KEY);
  } catch {
    return fn(false);
  }
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let waited = false;
  let held = false;
  while (Date.now() < deadline) {
    const [holder, until] = (storage.getItem(LEASE_KEY) ?? "").split(":");
    if (!holder || Number(until) < Date.now()) {
      storage.setItem(LEASE_KEY, `${owner}:${Date.now() + REQUEST_TIMEOUT_MS}`);
      await sleep(25); // let a racing tab's write land, then see who won
      if ((storage.getItem(LEASE_KEY) ?? "").startsWith(`${owner}:`)) {
        held = true;
        break;
      }
    }
    waited = true;
    await sleep(100 + Math.random() * 100);
  }
  try {
    return await fn(waited);
  } finally {
    if (held && (storage.getItem(LEASE_KEY) ?? "").startsWith(`${owner}:`)) storage.removeItem(LEASE_KEY);
  }
}

// ---- the page's one controller ----

let controller: AuthController | null = null;

/** The page's controller, created on first use with the server's seed. Never on the server. */
export function getAuthController(initial: AccessState, serverNow?: number): AuthController | null {
  if (typeof window === "undefined") return null;
  controller ??= new AuthController(initial, serverNow);
  return controller;
}

/**
 * fetch for client code that calls the app's own API: refreshes the access token silently when
 * needed and retries a request that failed with 401 once. Outside the provider it is plain fetch.
 */
export function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return controller ? controller.fetch(input, init) : fetch(input, { credentials: "same-origin", ...init });
}
