import { SessionsList, type DeviceSession } from "@/components/sessions-list";
import { PageHeading } from "@/components/ui";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageUser } from "@/lib/server/session";
import { describeDevice } from "@/lib/user-agent";

export const metadata = { title: "Your devices" };

export default async function SessionsPage() {
  const { user, claims } = await requirePageUser("/account/sessions");
  const rt = await getRuntime();
  const sessions: DeviceSession[] = rt.auth.listSessions(user.id).map((f) => ({
    id: f.id,
    current: f.id === claims.sid,
    createdAt: f.createdAt,
    lastUsedAt: f.lastUsedAt,
    ip: f.ip,
    ...describeDevice(f.userAgent),
  }));
  // This device first, then the most recently active.
  sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt);
  return (
    <div>
      <PageHeading
        title="Your devices"
        description="Every browser where you are signed in. If you don't recognise one, sign it out and change your password."
      />
      <SessionsList initial={sessions} />
    </div>
  );
}
