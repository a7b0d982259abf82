"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { createLinkTokenStore, type LinkTokenSnapshot, type LinkTokenStore } from "@/lib/client/link-token";

/**
 * The token of an emailed link (`#token=…`), read after hydration and cleared from the address bar
 * at once, before the page sends anything. Returns its status for rendering (and a generation that
 * changes when another link is opened in the same document: key the stateful part on it) and the
 * store for the request that spends it; the token itself is never React state.
 */
export function useLinkToken(): LinkTokenSnapshot & { store: LinkTokenStore } {
  const [store] = useState(createLinkTokenStore);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  useEffect(() => {
    store.take();
    return store.watch();
  }, [store]);
  return { ...snapshot, store };
}
