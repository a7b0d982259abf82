import { ResetPasswordForm } from "@/components/reset-password-form";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";

export const metadata = { title: "Set a new password" };

/** The target of the emailed reset link: …/reset-password#token=… (the token never reaches a server log). */
export default function ResetPasswordPage() {
  return (
    <div className="mx-auto max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <ResetPasswordForm minLength={PASSWORD_MIN_LENGTH} />
      </div>
    </div>
  );
}
