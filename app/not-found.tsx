import Link from "next/link";
import { buttonClasses } from "@/components/ui";

export const metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm sm:p-8">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="mt-3 text-slate-700">There is nothing at this address.</p>
      <div className="mt-6 flex justify-center">
        <Link href="/" className={buttonClasses.primary}>
          Go to the home page
        </Link>
      </div>
    </div>
  );
}
