import Link from "next/link";
import { buttonClasses } from "@/components/ui";
import { getCurrentUser } from "@/lib/server/current-user";

const FEATURES = [
  { title: "Short-lived access", text: "A signed access pass that lasts minutes and renews itself in the background." },
  {
    title: "Rotating sessions",
    text: "The long-lived sign-in token changes on every use; a copy used twice ends the session.",
  },
  {
    title: "Real sign-out",
    text: "Sign out one device, all of them, or let an administrator do it. It takes effect at once.",
  },
];

export default async function Home() {
  const signedIn = !!(await getCurrentUser());
  return (
    <div className="space-y-10">
      <div className="space-y-4">
        <h1 className="text-3xl font-semibold tracking-tight sm:text-4xl">JWTs done right</h1>
        <p className="max-w-2xl text-lg text-slate-700">
          Short-lived signed access tokens, refresh tokens that rotate on every use, theft detection that ends a stolen
          session, and sign-out that really signs out. Nothing in localStorage.
        </p>
        <div className="flex flex-wrap gap-3">
          {signedIn ? (
            <Link href="/dashboard" className={buttonClasses.primary}>
              Go to your dashboard
            </Link>
          ) : (
            <>
              <Link href="/login" className={buttonClasses.primary}>
                Sign in
              </Link>
              <Link href="/register" className={buttonClasses.secondary}>
                Create account
              </Link>
            </>
          )}
        </div>
      </div>
      <ul className="grid gap-4 sm:grid-cols-3">
        {FEATURES.map((f) => (
          <li key={f.title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="font-semibold text-slate-900">{f.title}</h2>
            <p className="mt-1 text-sm text-slate-700">{f.text}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
