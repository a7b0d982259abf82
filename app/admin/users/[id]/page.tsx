import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminUserActions, AdminUserSessions } from "@/components/admin-user";
import { EventsList } from "@/components/events-list";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, PageHeading } from "@/components/ui";
import { requirePageAdmin } from "@/lib/server/current-user";
import { getRuntime } from "@/lib/server/runtime";

export const metadata = { title: "User" };

/** One account as an administrator sees it: details, sessions, recent events and the actions. */
export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user: admin, claims } = await requirePageAdmin(`/admin/users/${encodeURIComponent(id)}`);
  const rt = await getRuntime();
  const detail = await rt.auth.userDetail(id);
  if (!detail.ok) notFound();
  const { user } = detail;
  const isSelf = user.id === admin.id;
  // The core lists them for anyone; on one's own page, the session this page runs in is marked (and first).
  const sessions = detail.sessions
    .map((s) => ({ ...s, current: isSelf && s.id === claims.sid }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt);
  const events = await rt.auth.userEvents(user.id, 50);

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/admin" className="font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900">
          ← All users
        </Link>
      </p>
      <PageHeading
        title={user.name ?? user.email}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="wrap-anywhere">{user.email}</span>
            {user.role === "admin" && <Badge tone="indigo">Admin</Badge>}
            {user.disabled && <Badge tone="amber">Disabled</Badge>}
            {isSelf && <Badge tone="emerald">You</Badge>}
          </span>
        }
      />

      <Card title="Details" titleId="details">
        <dl className="space-y-3 text-sm">
          <Detail term="Email" testId="detail-email">
            <span className="wrap-anywhere">{user.email}</span> {user.emailVerified ? "(verified)" : "(not verified)"}
          </Detail>
          <Detail term="Name">{user.name ?? "-"}</Detail>
          <Detail term="Role" testId="detail-role">
            {user.role === "admin" ? "Administrator" : "User"}
          </Detail>
          <Detail term="Status" testId="detail-status">
            {user.disabled ? "Disabled: signing in is refused" : "Active"}
          </Detail>
          <Detail term="Two-step verification" testId="detail-two-step">
            {user.twoFactor ? "On" : "Off"}
          </Detail>
          <Detail term="Created">
            <LocalTime ms={user.createdAt} />
          </Detail>
          <Detail term="Last sign-in">
            {user.lastSignInAt === null ? "-" : <LocalTime ms={user.lastSignInAt} withRelative />}
          </Detail>
        </dl>
      </Card>

      <Card
        title="Actions"
        titleId="actions"
        description="Each asks you to confirm, needs a recent sign-in, and is recorded with your account."
      >
        <AdminUserActions user={user} isSelf={isSelf} />
      </Card>

      <Card
        title="Sessions"
        titleId="sessions"
        description="Every browser and app where this account is signed in, as the person sees them under their devices."
      >
        <AdminUserSessions user={user} sessions={sessions} isSelf={isSelf} />
      </Card>

      <Card
        title="Recent events"
        titleId="events"
        description={`The latest ${events.length === 1 ? "event" : `${events.length} events`} of this account, newest first, worded as the person sees them.`}
      >
        <EventsList events={events} empty="No events recorded for this account." />
      </Card>
    </div>
  );
}

/** One line of the details: the term above its value on phones, beside it on wider screens. */
function Detail({ term, testId, children }: { term: string; testId?: string; children: React.ReactNode }) {
  return (
    <div className="sm:grid sm:grid-cols-[12rem_1fr] sm:gap-4">
      <dt className="text-slate-600">{term}</dt>
      <dd className="text-slate-900" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
