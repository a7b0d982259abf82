import { describeDevice } from "@/lib/auth/devices";
import type { Runtime } from "./runtime";

/** The user's active sessions as devices (what the devices page and GET /api/auth/sessions show). */
export function deviceSessions(rt: Runtime, userId: string, currentSessionId: string) {
  return rt.auth.listSessions(userId).map((f) => ({
    id: f.id,
    current: f.id === currentSessionId,
    createdAt: f.createdAt,
    lastUsedAt: f.lastUsedAt,
    ip: f.ip,
    ...describeDevice(f.userAgent),
  }));
}
