"use client";

import Link from "next/link";
import { useAuth } from "./auth-provider";

export function SiteHeader() {
  const { state } = useAuth();
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-3xl items-center justify-between px-4 py-3" aria-label="Main">
        <Link href="/" className="font-semibold text-slate-900">
          Auth Starter
        </Link>
        <div className="flex items-center gap-4 text-sm">
          {state.status === "authenticated" ? (
            <Link href="/dashboard" className="text-slate-700 hover:text-slate-900">
              Dashboard
            </Link>
          ) : (
            <>
              <Link href="/login" className="text-slate-700 hover:text-slate-900">
                Sign in
              </Link>
              <Link href="/register" className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700">
                Create account
              </Link>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}
