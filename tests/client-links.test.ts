import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { durationInWords, retryAfterSeconds, tooManyRequests } from "@/lib/client/durations";
import { createLinkTokenStore } from "@/lib/client/link-token";

describe("durations in words", () => {
  it.each([
    [1, "1 second"],
    [45, "45 seconds"],
    [60, "1 minute"],
    [61, "2 minutes"],
    [30 * 60, "30 minutes"],
    [3599, "60 minutes"],
    [3600, "60 minutes"],
    [2 * 3600, "2 hours"],
    [90 * 60, "90 minutes"],
    [24 * 3600, "24 hours"],
    [7 * 86400, "7 days"],
  ])("%i s → %s", (seconds, words) => expect(durationInWords(seconds)).toBe(words));

  it("reads Retry-After as seconds or a date, and says the wait", () => {
    expect(retryAfterSeconds(new Response(null, { headers: { "Retry-After": "720" } }))).toBe(720);
    const now = Date.parse("2026-01-01T00:00:00Z");
    const date = new Response(null, { headers: { "Retry-After": "Thu, 01 Jan 2026 00:02:00 GMT" } });
    expect(retryAfterSeconds(date, now)).toBe(120);
    expect(retryAfterSeconds(new Response(null))).toBeNull();
    expect(tooManyRequests(720)).toBe("Too many requests. Try again in 12 minutes.");
    expect(tooManyRequests(null)).toBe("Too many requests. Wait a little and try again.");
  });
});

/** Just enough of window.location and history for the store. */
function fakeWindow(href: string) {
  const listeners = new Set<() => void>();
  const win = {
    location: new URL(href),
    history: {
      state: { router: "state" } as unknown,
      replaceState: vi.fn((state: unknown, _title: string, url: string) => {
        win.history.state = state;
        win.location = new URL(url, win.location.href);
      }),
    },
    addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
    navigateToFragment(hash: string) {
      win.location = new URL(hash, win.location.href);
      for (const listener of listeners) listener();
    },
  };
  vi.stubGlobal("window", win);
  return win;
}

const TOKEN = "a".repeat(43);

describe("the emailed link's token", () => {
  // The store tells the router again a tick later; fake timers keep that inside each test.
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => {
    vi.clearAllTimers();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("is read once, and the fragment leaves the address bar at once, keeping the router's state", () => {
    const win = fakeWindow(`https://app.example/reset-password?x=1#token=${TOKEN}`);
    const store = createLinkTokenStore();
    expect(store.getSnapshot().status).toBe("reading");
    store.take();
    expect(win.location.href).toBe("https://app.example/reset-password?x=1");
    expect(win.history.replaceState).toHaveBeenCalledWith({ router: "state" }, "", "/reset-password?x=1");
    expect(store.getSnapshot()).toEqual({ status: "present", generation: 1 });
    expect(store.token()).toBe(TOKEN);
    store.take(); // StrictMode's second effect: nothing changes
    expect(store.getSnapshot().generation).toBe(1);
    // Once the router listens, it is told the clean URL again (null state: it copies its own).
    vi.runAllTimers();
    expect(win.history.replaceState).toHaveBeenLastCalledWith(null, "", "/reset-password?x=1");
  });

  it("is handed out once for a request the page sends by itself, and forgotten when spent", () => {
    fakeWindow(`https://app.example/verify-email#token=${TOKEN}`);
    const store = createLinkTokenStore();
    store.take();
    expect(store.claimOnce()).toBe(TOKEN);
    expect(store.claimOnce()).toBeNull();
    store.discard();
    expect(store.token()).toBeNull();
  });

  it("tells a missing token from a cut one, and leaves in-page anchors alone", () => {
    fakeWindow("https://app.example/reset-password");
    const none = createLinkTokenStore();
    none.take();
    expect(none.getSnapshot().status).toBe("missing");

    const anchor = fakeWindow("https://app.example/reset-password#main");
    const skip = createLinkTokenStore();
    skip.take();
    expect(skip.getSnapshot().status).toBe("missing");
    expect(anchor.location.hash).toBe("#main");
    expect(anchor.history.replaceState).not.toHaveBeenCalled();

    const cut = fakeWindow(`https://app.example/reset-password#token=${TOKEN.slice(0, 20)}`);
    const store = createLinkTokenStore();
    store.take();
    expect(store.getSnapshot().status).toBe("malformed");
    expect(store.token()).toBeNull();
    expect(cut.location.hash).toBe("");
  });

  it("takes a link pasted into the same page as a new generation", () => {
    const win = fakeWindow("https://app.example/reset-password");
    const store = createLinkTokenStore();
    store.take();
    const unwatch = store.watch();
    const seen = vi.fn();
    store.subscribe(seen);
    win.navigateToFragment("#main"); // the skip link: ignored
    expect(seen).not.toHaveBeenCalled();
    win.navigateToFragment(`#token=${TOKEN}`);
    expect(store.getSnapshot()).toEqual({ status: "present", generation: 2 });
    expect(store.claimOnce()).toBe(TOKEN);
    expect(win.location.hash).toBe("");
    unwatch();
  });
});
