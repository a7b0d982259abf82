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
  // The core lists them for anyone; on one's own page, the session this page runs in is marked.
  const sessions = detail.sessions
    .map((s) => ({ ...s, current: isSelf && s.id === claims.sid }))
    .sort((a, b) => b.lastUsedAt - a.lastUsedAt);
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
            <span className="break-all">{user.email}</span>
            {user.role === "admin" && <Badge tone="indigo">Admin</Badge>}
            {user.disabled && <Badge tone="amber">Disabled</Badge>}
            {isSelf && <Badge tone="emerald">You</Badge>}
          </span>
        }
      />

      <Card title="Details" titleId="details">
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-slate-600">Email</dt>
          <dd className="break-all text-slate-900" data-testid="detail-email">
            {user.email} {user.emailVerified ? "(verified)" : "(not verified)"}
          </dd>
          <dt className="text-slate-600">Name</dt>
          <dd className="text-slate-900">{user.name ?? "-"}</dd>
          <dt className="text-slate-600">Role</dt>
          <dd className="text-slate-900" data-testid="detail-role">
            {user.role === "admin" ? "Administrator" : "User"}
          </dd>
          <dt className="text-slate-600">Status</dt>
          <dd className="text-slate-900" data-testid="detail-status">
            {user.disabled ? "Disabled: signing in is refused" : "Active"}
          </dd>
          <dt className="text-slate-600">Two-step verification</dt>
          <dd className="text-slate-900" data-testid="detail-two-step">
            {user.twoFactor ? "On" : "Off"}
          </dd>
          <dt className="text-slate-600">Created</dt>
          <dd className="text-slate-900">
            <LocalTime ms={user.createdAt} />
          </dd>
          <dt className="text-slate-600">Last sign-in</dt>
          <dd className="text-slate-900">
            {user.lastSignInAt === null ? "-" : <LocalTime ms={user.lastSignInAt} withRelative />}
          </dd>
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
        description={`The latest ${events.length} events of this account, newest first, worded as the person sees them.`}
      >
        <EventsList events={events} empty="No events recorded for this account." />
      </Card>
    </div>
  );
}
