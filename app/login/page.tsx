import Link from "next/link";
import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/credentials-form";
import { LoginGate } from "@/components/login-gate";
import { safeNextPath } from "@/lib/redirect";
import { getCurrentUser } from "@/lib/server/session";

export const metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await getCurrentUser()) redirect(next);
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-semibold">Sign in</h1>
      <LoginGate next={next}>
        <CredentialsForm mode="login" next={next} />
        <p className="mt-6 text-sm text-slate-600">
          New here?{" "}
          <Link href={`/register?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-700 underline">
            Create an account
          </Link>
        </p>
      </LoginGate>
    </div>
  );
}
