import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/credentials-form";
import { ProviderButtons } from "@/components/provider-buttons";
import { TextLink } from "@/components/ui";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";
import { getRuntime } from "@/lib/server/runtime";
import { getConfig } from "@/lib/config";

export const metadata = { title: "Create account" };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await getCurrentUser()) redirect(next);
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <CredentialsForm
          mode="register"
          next={next}
          minPasswordLength={PASSWORD_MIN_LENGTH}
          verificationLinkLifetimeSeconds={(await getRuntime()).config.emailVerificationTtl}
          title="Create account"
          footer={
            <>
              <ProviderButtons providers={getConfig().providers.map(({ id, name }) => ({ id, name }))} next={next} />
              <p className="mt-6 text-sm text-slate-700">
                Already have an account? <TextLink href={`/login?next=${encodeURIComponent(next)}`}>Sign in</TextLink>
              </p>
            </>
          }
        />
      </div>
    </div>
  );
}
