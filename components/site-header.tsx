"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useAuth } from "./auth-provider";
import { SignOutButton } from "./sign-out-button";

const linkBase = "whitespace-nowrap rounded-md px-2 py-1.5 text-sm font-medium sm:px-2.5";

function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  const pathname = usePathname();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={`${linkBase} ${active ? "bg-indigo-50 text-indigo-800" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900"}`}
    >
      {children}
    </Link>
  );
}

export function SiteHeader({ appName }: { appName: string }) {
  const { status, user } = useAuth();
  return (
    <header className="border-b border-slate-200 bg-white">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-10 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-4xl flex-wrap items-center justify-between gap-x-3 gap-y-2 px-4 py-3">
        <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
          <span
            aria-hidden="true"
            className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm text-white"
          >
            A
          </span>
          {appName}
        </Link>
        {status === "authenticated" && user ? (
          <>
            <nav
              aria-label="Main"
              className="order-3 -mx-2 flex w-full gap-1 overflow-x-auto sm:order-none sm:mx-0 sm:w-auto"
            >
              <NavLink href="/dashboard">Dashboard</NavLink>
              <NavLink href="/account/sessions">Devices</NavLink>
              <NavLink href="/account/security">Security</NavLink>
              {user.role === "admin" && <NavLink href="/admin">Admin</NavLink>}
            </nav>
            <div className="flex items-center gap-3">
              <span className="hidden max-w-48 truncate text-sm text-slate-700 md:inline" title={user.email}>
                {user.email}
              </span>
              <SignOutButton
                className={`${linkBase} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:opacity-70`}
              />
            </div>
          </>
        ) : (
          <nav aria-label="Main" className="flex items-center gap-1">
            <NavLink href="/login">Sign in</NavLink>
            <Link href="/register" className={`${linkBase} bg-indigo-600 text-white hover:bg-indigo-700`}>
              Create account
            </Link>
          </nav>
        )}
      </div>
    </header>
  );
}
