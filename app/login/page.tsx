import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/credentials-form";
import { LoginGate } from "@/components/login-gate";
import { TextLink } from "@/components/ui";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { getCurrentUser } from "@/lib/server/current-user";

export const metadata = { title: "Sign in" };

type Search = { next?: string | string[]; reason?: string | string[] };
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const next = safeNextPath(first(params.next));
  if (await getCurrentUser()) redirect(next);
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="mb-6 text-2xl font-semibold tracking-tight">Sign in</h1>
        <LoginGate next={next} reason={first(params.reason)}>
          <CredentialsForm mode="login" next={next} />
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
