/**
 * Emailed links carry their token in the URL fragment (…/reset-password#token=…): browsers never
 * send a fragment to a server, so it is in no access log and no Referer. The page takes it once,
 * removes it from the address bar (and so from history) before any request, and keeps it in this
 * closure only: never in a URL query, storage, a log or anything rendered.
 */

/** The shape of every opaque token (lib/auth/opaque-token.ts): 32 bytes, base64url, 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * - reading: before the page has looked (server render, hydration)
 * - missing: no token in the fragment (opened without one, or reloaded after it was cleared)
 * - malformed: something is there but it cannot be one of our tokens (a link cut by a mail client)
 * - present: a token to post
 */
export type LinkTokenStatus = "reading" | "missing" | "malformed" | "present";

const hasLinkToken = (hash: string) => /^#(.*&)?token=/.test(hash);

/** Reads `#token=…` and clears the whole fragment at once. */
function takeFromFragment(): string | null {
  const { hash, pathname, search } = window.location;
  if (!hasLinkToken(hash)) return null; // nothing, or an in-page anchor such as "Skip to content"
  const token = new URLSearchParams(hash.slice(1)).get("token");
  const clean = pathname + search;
  // At once, keeping the router's own history state.
  window.history.replaceState(window.history.state, "", clean);
  // Next's router learns of replaceState calls through a hook it installs in an effect, and on the
  // first render that effect runs after ours (a parent's effects run after its children's). Until
  // it knows, its idea of the URL still holds the fragment, and its next history write (any
  // router.refresh()) would put the token back. So tell it again once it listens: with `null`
  // state it copies its own state and takes the URL.
  setTimeout(() => {
    if (window.location.pathname + window.location.search === clean && !window.location.hash) {
      window.history.replaceState(null, "", clean);
    }
  }, 0);
  return token;
}

export type LinkTokenSnapshot = { status: LinkTokenStatus; generation: number };

/**
 * One per mounted page: an external store React subscribes to (useSyncExternalStore), so the
 * fragment is read in an effect, after hydration, and exactly once even when React runs effects
 * twice (StrictMode in development). A link pasted into the address bar of this same page is a
 * fragment-only navigation (no reload): `watch` takes that one too, as a new generation.
 */
export function createLinkTokenStore() {
  let snapshot: LinkTokenSnapshot = { status: "reading", generation: 0 };
  let token: string | null = null;
  let claimed = false;
  const listeners = new Set<() => void>();
  const serverSnapshot: LinkTokenSnapshot = { status: "reading", generation: 0 };

  function read() {
    const found = takeFromFragment();
    token = found !== null && TOKEN_SHAPE.test(found) ? found : null;
    claimed = false;
    const status = found === null ? "missing" : token ? "present" : "malformed";
    snapshot = { status, generation: snapshot.generation + 1 };
    for (const listener of listeners) listener();
  }

  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    getSnapshot: (): LinkTokenSnapshot => snapshot,
    getServerSnapshot: (): LinkTokenSnapshot => serverSnapshot,
    /** Reads and clears the fragment; later calls do nothing. */
    take() {
      if (snapshot.status === "reading") read();
    },
    /** Takes a link opened later in this same document; returns the unsubscribe function. */
    watch() {
      const onHashChange = () => {
        if (hasLinkToken(window.location.hash)) read();
      };
      window.addEventListener("hashchange", onHashChange);
      return () => window.removeEventListener("hashchange", onHashChange);
    },
    /** The token, for a request the user asked for (a form submit, a retry). */
    token: (): string | null => token,
    /** The token the first time only (per link): for a request the page sends by itself, exactly once. */
    claimOnce(): string | null {
      if (claimed) return null;
      claimed = true;
      return token;
    },
    /** Forgets the token once it is spent. */
    discard() {
      token = null;
    },
  };
}

export type LinkTokenStore = ReturnType<typeof createLinkTokenStore>;
