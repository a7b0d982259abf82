import { DeleteAccount, DownloadYourData } from "@/components/account-data";
import { ChangePasswordForm } from "@/components/change-password-form";
import { ConnectedAccounts } from "@/components/connected-accounts";
import { EventsList } from "@/components/events-list";
import { PasskeysSection } from "@/components/passkeys-section";
import { TwoFactorSection } from "@/components/two-factor-section";
import { Card, PageHeading } from "@/components/ui";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { PROVIDER_CONNECT_ERRORS } from "@/lib/client/notices";
import { getRuntime } from "@/lib/server/runtime";
import { requirePageUser } from "@/lib/server/current-user";

export const metadata = { title: "Security" };

/** Routine token renewals would drown everything else; they are not shown. */
const HIDDEN = new Set(["refresh"]);

type Search = { connected?: string | string[]; error?: string | string[] };
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { user } = await requirePageUser("/account/security");
  const rt = await getRuntime();
  const [allEvents, passkeys, twoFactor, connected] = await Promise.all([
    rt.auth.userEvents(user.id, 500),
    rt.auth.listPasskeys(user.id),
    rt.auth.twoFactorStatus(user.id),
    rt.auth.connectedAccounts(user.id),
  ]);
  const events = allEvents.filter((e) => !HIDDEN.has(e.type)).slice(0, 30);
  const providers = rt.config.providers.map(({ id, name }) => ({ id, name }));

  // A provider's callback comes back with ?connected=<id> or ?error=<code>; only known values become words.
  const params = await searchParams;
  const connectedId = first(params.connected);
  const error = first(params.error);
  const connectedName = providers.find((p) => p.id === connectedId)?.name;
  const notice = connectedName
    ? { tone: "success" as const, text: `Connected ${connectedName}. You can now sign in with it.` }
    : error
      ? { tone: "error" as const, text: PROVIDER_CONNECT_ERRORS[error] ?? PROVIDER_CONNECT_ERRORS.invalid_response }
      : null;

  return (
    <div className="space-y-6">
      <PageHeading
        title="Security"
        description="How you sign in, your password, and what has happened on your account recently."
      />
      <PasskeysSection initial={passkeys} />
      <TwoFactorSection initial={twoFactor} appName={rt.config.appName} />
      {providers.length > 0 && <ConnectedAccounts providers={providers} initial={connected} notice={notice} />}
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
      <DownloadYourData />
      <DeleteAccount email={user.email} />
    </div>
  );
}
