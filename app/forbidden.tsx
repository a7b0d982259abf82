import Link from "next/link";
import { buttonClasses } from "@/components/ui";

export const metadata = { title: "Access denied" };

/** Rendered with HTTP 403 when a page calls forbidden() (e.g. /admin for a user without the admin role). */
export default function Forbidden() {
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm sm:p-8">
      <p className="text-sm font-semibold text-indigo-700">403 · Forbidden</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">You don&apos;t have access to this page</h1>
      <p className="mt-3 text-slate-700">
        This page is for administrators. You are signed in, but your account does not have the administrator role. If
        you think it should, ask an administrator.
      </p>
      <div className="mt-6 flex justify-center">
        <Link href="/dashboard" className={buttonClasses.primary}>
          Back to your dashboard
        </Link>
      </div>
    </div>
  );
}
