import { AdminEndSessionsForm } from "@/components/admin-end-sessions-form";
import { AdminUsers } from "@/components/admin-users";
import { EventsList } from "@/components/events-list";
import { Card, PageHeading } from "@/components/ui";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageAdmin } from "@/lib/server/current-user";

export const metadata = { title: "Admin" };

type Search = { query?: string | string[] };
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function AdminPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageAdmin("/admin");
  const params = await searchParams;
  // The list's search is kept in the address, so Back from a user's page shows the same results.
  const query = first(params.query)?.trim().slice(0, 254) ?? "";
  const rt = await getRuntime();
  const [users, events] = await Promise.all([rt.auth.listUsers({ query, cursor: null }), rt.auth.recentEvents(100)]);
  return (
    <div className="space-y-6">
      <PageHeading
        title="Admin"
        description="The accounts, recent authentication activity across all of them, and a way to sign someone out everywhere."
      />
      <Card
        title="Users"
        titleId="users"
        description="Search by email address or name. Open a user to see their devices and recent events, change their role, or disable the account."
      >
        <AdminUsers initial={users} initialQuery={query} />
      </Card>
      <Card
        title="Sign a user out everywhere"
        titleId="end-sessions"
        description="Ends every session of the account and invalidates its access tokens at once. Use it when an account may be compromised."
      >
        <AdminEndSessionsForm />
      </Card>
      <Card
        title="Recent auth events"
        titleId="events"
        description={`The latest ${events.length} events, newest first.`}
      >
        <EventsList events={events} showUser />
      </Card>
    </div>
  );
}
