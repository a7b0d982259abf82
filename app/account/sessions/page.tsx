import { SessionsList, type DeviceSession } from "@/components/sessions-list";
import { PageHeading } from "@/components/ui";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageUser } from "@/lib/server/current-user";

export const metadata = { title: "Your devices" };

export default async function SessionsPage() {
  const { user, claims } = await requirePageUser("/account/sessions");
  const rt = await getRuntime();
  const sessions: DeviceSession[] = await rt.auth.listDevices(user.id, claims.sid);
  // This device first, then the most recently active.
  sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt);
  return (
    <div>
      <PageHeading
        title="Your devices"
        description="Every browser and app where you are signed in. If you don't recognise one, sign it out and change your password."
      />
      <SessionsList initial={sessions} />
    </div>
  );
}
