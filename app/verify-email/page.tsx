import { VerifyEmail } from "@/components/verify-email";
import { getRuntime } from "@/lib/server/runtime";

export const metadata = { title: "Confirm your email address" };

/** The target of the emailed verification link: …/verify-email#token=… (the token never reaches a server log). */
export default async function VerifyEmailPage() {
  const { config } = await getRuntime();
  return (
    <div className="mx-auto max-w-md">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <VerifyEmail mode={config.emailVerification} />
      </div>
    </div>
  );
}
