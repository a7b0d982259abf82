import Link from "next/link";
import { AccessExpiry } from "@/components/access-expiry";
import { LocalTime } from "@/components/local-time";
import { SignOutButton } from "@/components/sign-out-button";
import { VerifyEmailBanner } from "@/components/verify-email-banner";
import { Badge, Card, PageHeading, buttonClasses } from "@/components/ui";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageUser } from "@/lib/server/current-user";

export const metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const { user, claims, sessionStartedAt } = await requirePageUser("/dashboard");
  const rt = await getRuntime();
  const device = await rt.auth.deviceOf(claims.sid);
  // The mode comes from the server's configuration, never from a client-side environment variable.
  const askToVerify = rt.config.emailVerification !== "off" && !user.emailVerified;
  return (
    <div>
      <PageHeading
        title={user.name ? `Hello, ${user.name}` : "Dashboard"}
        description="Your account and this session at a glance."
      />
      {askToVerify && <VerifyEmailBanner email={user.email} />}
      <div className="grid gap-5 md:grid-cols-2">
        <Card title="Signed in as" titleId="who">
          <p className="break-all text-lg font-medium text-slate-900">
            <span data-testid="user-email">{user.email}</span>
          </p>
          <p className="mt-2 flex items-center gap-2 text-sm text-slate-700">
            Role: <Badge tone={user.role === "admin" ? "amber" : "slate"}>{user.role}</Badge>
          </p>
        </Card>
        <Card title="This session" titleId="session">
          <dl className="space-y-2 text-sm">
            <div>
              <dt className="text-slate-600">Started</dt>
              <dd className="font-medium text-slate-900" data-testid="session-started">
                <LocalTime ms={sessionStartedAt} withRelative />
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">Device</dt>
              <dd className="font-medium text-slate-900">
                {device.browser} on {device.os}
              </dd>
            </div>
          </dl>
        </Card>
        <Card title="Access pass" titleId="access" className="md:col-span-2">
          <AccessExpiry />
        </Card>
      </div>
      <div className="mt-6 flex flex-wrap gap-3">
        <Link href="/account/sessions" className={buttonClasses.secondary}>
          Manage devices
        </Link>
        <Link href="/account/security" className={buttonClasses.secondary}>
          Security and password
        </Link>
        <SignOutButton className={buttonClasses.primary} />
      </div>
    </div>
  );
}
