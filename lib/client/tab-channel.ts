import type { AuthenticatedSessionState, SignOutReason } from "@/lib/client/types";

/** What tabs tell each other: a new session state, or that the session is over. */
export type TabMessage =
  { type: "state"; state: AuthenticatedSessionState } | { type: "signed-out"; reason: SignOutReason };

const CHANNEL_NAME = "auth-starter:auth";

/** A BroadcastChannel to the page's other tabs (none where the browser lacks it). */
export function openTabChannel(onMessage: (msg: TabMessage) => void) {
  const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel(CHANNEL_NAME) : null;
  if (channel) channel.onmessage = (e: MessageEvent<TabMessage>) => onMessage(e.data);
  return {
    post(msg: TabMessage) {
      try {
        channel?.postMessage(msg);
      } catch {
        // A closed channel (tab going away): nothing to tell.
      }
    },
    close: () => channel?.close(),
  };
}
