import { SignOutButton } from "@/components/sign-out-button";
import { requirePageUser } from "@/lib/server/session";

export const metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const { user, sessionStartedAt } = await requirePageUser("/dashboard");
  return (
    <div className="space-y-6">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <p className="mt-2 text-slate-700">
          Signed in as <strong data-testid="user-email">{user.email}</strong>
          {user.role === "admin" && <span className="ml-2 rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">admin</span>}
        </p>
        <p className="mt-1 text-sm text-slate-600">
          This session started <time dateTime={new Date(sessionStartedAt).toISOString()}>{new Date(sessionStartedAt).toUTCString()}</time>.
        </p>
      </div>
      <SignOutButton />
    </div>
  );
}
