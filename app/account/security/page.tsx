import { ChangePasswordForm } from "@/components/change-password-form";
import { EventsList } from "@/components/events-list";
import { Card, PageHeading } from "@/components/ui";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageUser } from "@/lib/server/current-user";

export const metadata = { title: "Security" };

/** Routine token renewals would drown everything else; they are not shown. */
const HIDDEN = new Set(["refresh"]);

export default async function SecurityPage() {
  const { user } = await requirePageUser("/account/security");
  const rt = await getRuntime();
  const events = (await rt.auth.userEvents(user.id, 500)).filter((e) => !HIDDEN.has(e.type)).slice(0, 30);
  return (
    <div className="space-y-6">
      <PageHeading title="Security" description="Your password and what has happened on your account recently." />
      <Card
        title="Change password"
        titleId="change-password"
        description="Every other device will be signed out. This one stays signed in."
      >
        <ChangePasswordForm minLength={PASSWORD_MIN_LENGTH} email={user.email} />
      </Card>
      <Card
        title="Recent security events"
        titleId="events"
        description="Sign-ins, failed attempts, sign-outs and anything we stopped. Times are in your time zone."
      >
        <EventsList events={events} />
      </Card>
    </div>
  );
}
