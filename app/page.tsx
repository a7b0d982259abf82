import Link from "next/link";

export default function Home() {
  return (
    <div className="space-y-4">
      <h1 className="text-3xl font-semibold">JWTs done right</h1>
      <p className="text-slate-700">
        Short-lived signed access tokens, refresh tokens that rotate on every use, theft detection that ends a stolen session,
        and sign-out that really signs out. Nothing in localStorage.
      </p>
      <div className="flex gap-3">
        <Link href="/login" className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700">
          Sign in
        </Link>
        <Link href="/register" className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium text-slate-800 hover:bg-slate-100">
          Create account
        </Link>
      </div>
    </div>
  );
}
