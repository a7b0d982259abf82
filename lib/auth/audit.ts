import type { AuthContext } from "@/lib/auth/context";
import { describeDevice } from "@/lib/auth/devices";
import { describeEvent } from "@/lib/auth/events";
import type { EventRow } from "@/lib/auth/store";

/** An audit event as the security and admin pages show it: plain words, device, account. */
export type SecurityEvent = {
  id: number;
  type: string;
  description: string;
  at: number;
  ip: string | null;
  device: string | null;
  userId: string | null;
  email: string | null;
};

function present(e: EventRow, email: string | null): SecurityEvent {
  const d = e.userAgent ? describeDevice(e.userAgent) : null;
  return {
    id: e.id,
    type: e.type,
    description: describeEvent(e.type),
    at: e.at,
    ip: e.ip,
    device: d ? `${d.browser} on ${d.os}` : null,
    userId: e.userId,
    email,
  };
}

/** Reading the audit trail: one user's own events, or everyone's for an administrator. */
export function createAudit(ctx: AuthContext) {
  const { store } = ctx;
  return {
    async userEvents(userId: string, limit = 50): Promise<SecurityEvent[]> {
      return (await store.userEvents(userId, limit)).map((e) => present(e, null));
    },
    /**
     * Newest first, one query for emails. Routine renewals are not recorded any more
     * (docs/decisions/refresh-tokens-in-the-family.md); rows of that type from before are left out.
     */
    async recentEvents(limit: number): Promise<SecurityEvent[]> {
      const rows = (await store.recentEvents(Math.min(2000, limit * 2)))
        .filter((e) => e.type !== "refresh")
        .slice(0, limit);
      const emails = await store.emailsOf([...new Set(rows.flatMap((e) => (e.userId ? [e.userId] : [])))]);
      return rows.map((e) => present(e, e.userId ? (emails.get(e.userId) ?? null) : null));
    },
  };
}
