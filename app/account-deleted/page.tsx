import { StatusPanel } from "@/components/status-panel";
import { TextLink } from "@/components/ui";

export const metadata = { title: "Account deleted" };

/** Where a person lands after deleting their account: signed out, and told plainly what happened. */
export default function AccountDeletedPage() {
  return (
    <div className="mx-auto max-w-xl">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <StatusPanel tone="success" title="Your account has been deleted" headingLevel={1}>
          <p>
            Your account, passkeys, two-step settings, connected accounts and sessions are gone, and you are signed out
            everywhere. We sent a last notice to your email address.
          </p>
          <p>
            Changed your mind? You can <TextLink href="/register">create a new account</TextLink> with the same address
            at any time.
          </p>
        </StatusPanel>
      </div>
    </div>
  );
}
