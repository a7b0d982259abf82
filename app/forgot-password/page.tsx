import { ForgotPasswordForm } from "@/components/forgot-password-form";
import { getRuntime } from "@/lib/server/runtime";

export const metadata = { title: "Reset your password" };

export default async function ForgotPasswordPage() {
  const { config } = await getRuntime();
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <ForgotPasswordForm linkLifetimeSeconds={config.passwordResetTtl} />
      </div>
    </div>
  );
}
