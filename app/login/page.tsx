import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/credentials-form";
import { LoginGate } from "@/components/login-gate";
import { PasskeySignIn } from "@/components/passkey-sign-in";
import { ProviderButtons } from "@/components/provider-buttons";
import { Notice, TextLink } from "@/components/ui";
import { PROVIDER_SIGN_IN_ERRORS } from "@/lib/client/notices";
import { getConfig } from "@/lib/config";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";

export const metadata = { title: "Sign in" };

type Search = { next?: string | string[]; reason?: string | string[]; error?: string | string[] };
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const next = safeNextPath(first(params.next));
  if (await getCurrentUser()) redirect(next);
  const error = first(params.error);
  // Only the codes we know: the query string is anyone's to write, so it never becomes page text.
  const errorMessage = error ? (PROVIDER_SIGN_IN_ERRORS[error] ?? PROVIDER_SIGN_IN_ERRORS.provider_error) : null;
  const providers = getConfig().providers.map(({ id, name }) => ({ id, name }));
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="mb-6 text-2xl font-semibold tracking-tight">Sign in</h1>
        {errorMessage && (
          <Notice tone="error" className="mb-5">
            {errorMessage}
          </Notice>
        )}
        <LoginGate next={next} reason={first(params.reason)}>
          <CredentialsForm mode="login" next={next} />
          <PasskeySignIn next={next} />
          <ProviderButtons providers={providers} next={next} />
          <p className="mt-4 text-sm">
            <TextLink href="/forgot-password">Forgot password?</TextLink>
          </p>
          <p className="mt-4 text-sm text-slate-700">
            New here? <TextLink href={`/register?next=${encodeURIComponent(next)}`}>Create an account</TextLink>
          </p>
        </LoginGate>
      </div>
    </div>
  );
}
