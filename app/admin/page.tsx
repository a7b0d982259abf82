import Link from "next/link";
import { AdminEndSessionsForm } from "@/components/admin-end-sessions-form";
import { EventsList } from "@/components/events-list";
import { Card, PageHeading } from "@/components/ui";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageAdmin } from "@/lib/server/current-user";

export const metadata = { title: "Admin" };

export default async function AdminPage({ searchParams }: { searchParams: Promise<{ refresh?: string }> }) {
  await requirePageAdmin("/admin");
  const withRefresh = (await searchParams).refresh === "1";
  const rt = await getRuntime();
  const events = await rt.auth.recentEvents(100, { includeRenewals: withRefresh });
  return (
    <div className="space-y-6">
      <PageHeading
        title="Admin"
        description="Recent authentication activity across all accounts, and a way to sign someone out everywhere."
      />
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
        <p className="mb-4 text-sm">
          {withRefresh ? (
            <Link
              href="/admin"
              className="font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
            >
              Hide routine session renewals
            </Link>
          ) : (
            <Link
              href="/admin?refresh=1"
              className="font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
            >
              Include routine session renewals
            </Link>
          )}
        </p>
        <EventsList events={events} showUser />
      </Card>
    </div>
  );
}
