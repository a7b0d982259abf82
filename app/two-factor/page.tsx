import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { TwoFactorForm } from "@/components/two-factor-form";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { PENDING_COOKIE } from "@/lib/server/cookies";
import { getCurrentUser } from "@/lib/server/current-user";

export const metadata = { title: "Two-step verification" };

/**
 * The second step of a sign-in (the password or provider was right; two-step is on). The pending
 * sign-in lives in an httpOnly cookie: without one there is nothing to finish, so back to sign in.
 */
export default async function TwoFactorPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await getCurrentUser()) redirect(next);
  if (!(await cookies()).get(PENDING_COOKIE)?.value)
    redirect(`/login?next=${encodeURIComponent(next)}&reason=sign_in_expired`);
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <TwoFactorForm next={next} />
      </div>
    </div>
  );
}
