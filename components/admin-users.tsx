"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { useAuth } from "./auth-provider";
import { Spinner } from "./credentials-form";
import { LocalTime } from "./local-time";
import { Badge, Notice, buttonClasses } from "./ui";
import type { AdminUser } from "@/lib/auth/administration";

/** One page of GET /api/admin/users. */
export type UsersPage = { users: AdminUser[]; nextCursor: string | null };

/** What the table shows: a query, the cursors that led to this page (null: the first), the page. */
type View = { query: string; cursors: (string | null)[]; page: UsersPage };

/** Typing searches after this pause; Enter searches at once. */
const SEARCH_DELAY_MS = 300;

function loadFailure(status: number | null): string {
  if (status === null) return "Could not reach the server. Check your connection and try again.";
  if (status === 401) return "Your session ended. Sign in again to see the users.";
  if (status === 403) return "Your account no longer has the administrator role.";
  return "Could not load the users. Try again.";
}

/**
 * The admin's user list: search by address or name, 50 a page (cursor pages, newest first), each
 * row linking to the user's page. The server renders the first page; the rest comes from the
 * admin API. The query is kept in the address bar so Back from a user's page returns to it.
 */
export function AdminUsers({ initial, initialQuery }: { initial: UsersPage; initialQuery: string }) {
  const { authFetch } = useAuth();
  // Back and Forward restore the page the server rendered first, with the address as it is now:
  // a query in it that the first page was not for is searched again.
  const [query, setQuery] = useState(useSearchParams().get("query") ?? initialQuery);
  const [view, setView] = useState<View>({ query: initialQuery, cursors: [null], page: initial });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<{ text: string; retry: Omit<View, "page"> } | null>(null);
  const inflight = useRef<AbortController | null>(null);
  const statusId = useId();

  async function load(target: Omit<View, "page">) {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setLoading(true);
    setError(null);
    const params = new URLSearchParams();
    if (target.query) params.set("query", target.query);
    const cursor = target.cursors.at(-1);
    if (cursor) params.set("cursor", cursor);
    let status: number | null = null;
    try {
      const res = await authFetch(`/api/admin/users?${params}`, { signal: controller.signal });
      status = res.status;
      if (!res.ok) throw new Error(`users list ${res.status}`);
      const page = (await res.json()) as UsersPage;
      if (controller.signal.aborted) return;
      setView({ ...target, page });
      const url = new URL(window.location.href);
      if (target.query) url.searchParams.set("query", target.query);
      else url.searchParams.delete("query");
      window.history.replaceState(window.history.state, "", url);
    } catch {
      // A newer search replaced this one: its answer no longer matters.
      if (controller.signal.aborted) return;
      setError({ text: loadFailure(status), retry: target });
    } finally {
      if (inflight.current === controller) {
        inflight.current = null;
        setLoading(false);
      }
    }
  }

  // Search as the admin types, once they pause.
  const latestLoad = useRef(load);
  useEffect(() => {
    latestLoad.current = load;
  });
  useEffect(() => {
    const q = query.trim();
    if (q === view.query) return;
    const timer = setTimeout(() => void latestLoad.current({ query: q, cursors: [null] }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, view.query]);

  useEffect(() => () => inflight.current?.abort(), []);

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void load({ query: query.trim(), cursors: [null] });
  }

  const { users, nextCursor } = view.page;
  const pageNumber = view.cursors.length;
  return (
    <div className="space-y-4">
      <form role="search" onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor={`${statusId}-search`} className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <input
            id={`${statusId}-search`}
            name="query"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Email address or name"
            autoComplete="off"
            spellCheck={false}
            aria-describedby={statusId}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-500 focus:border-indigo-600 focus:ring-2 focus:ring-indigo-600/30 focus:outline-none"
          />
        </div>
        <button type="submit" className={buttonClasses.secondary}>
          Search
        </button>
      </form>

      <p id={statusId} aria-live="polite" className="flex min-h-5 items-center gap-2 text-sm text-slate-600">
        {loading ? (
          <>
            <Spinner /> Loading users…
          </>
        ) : users.length > 0 ? (
          `Page ${pageNumber}: ${users.length} ${users.length === 1 ? "user" : "users"}${view.query ? ` matching “${view.query}”` : ""}.`
        ) : null}
      </p>

      {error && (
        <Notice tone="error" className="flex flex-wrap items-center justify-between gap-2">
          <span>{error.text}</span>
          <button
            type="button"
            className="font-semibold underline underline-offset-2"
            onClick={() => void load(error.retry)}
          >
            Try again
          </button>
        </Notice>
      )}

      {/* After a failed search the last results stay, but not an empty state for an older query. */}
      {users.length === 0 ? (
        !error && (
          <p className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-700">
            {view.query ? (
              <>
                No users match <strong className="font-semibold break-all text-slate-900">“{view.query}”</strong>.
              </>
            ) : (
              "No users match."
            )}
          </p>
        )
      ) : (
        <div className={`transition-opacity ${loading ? "opacity-60" : ""}`} aria-busy={loading}>
          {/* Phones: one card per user (seven columns do not fit); wider screens: the table. */}
          <ul aria-label="Users" className="divide-y divide-slate-200 rounded-lg border border-slate-200 sm:hidden">
            {users.map((u) => (
              <li key={u.id} className="space-y-1 p-3 text-sm">
                <UserLink user={u} />
                {u.name && <p className="text-slate-700">{u.name}</p>}
                <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-slate-700">
                  <RoleText role={u.role} />
                  <span>{u.emailVerified ? "Verified" : "Not verified"}</span>
                  <span>Two-step {u.twoFactor ? "on" : "off"}</span>
                  <StatusText disabled={u.disabled} />
                </p>
                <p className="text-slate-600">
                  Last sign-in: <LastSignIn at={u.lastSignInAt} />
                </p>
              </li>
            ))}
          </ul>
          <table className="hidden min-w-full divide-y divide-slate-200 overflow-hidden rounded-lg border border-slate-200 text-left text-sm sm:table">
            <caption className="sr-only">Users{view.query ? ` matching “${view.query}”` : ""}</caption>
            <thead className="bg-slate-50 text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Email and name
                </th>
                <th scope="col" className="px-3 py-2">
                  Role
                </th>
                <th scope="col" className="px-3 py-2">
                  Verified
                </th>
                <th scope="col" className="px-3 py-2 whitespace-nowrap">
                  Two-step
                </th>
                <th scope="col" className="px-3 py-2">
                  Status
                </th>
                <th scope="col" className="px-3 py-2">
                  Last sign-in
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 bg-white">
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row" className="align-top hover:bg-slate-50">
                  <td className="px-3 py-2">
                    <UserLink user={u} />
                    <p className="text-slate-600">{u.name ?? "-"}</p>
                  </td>
                  <td className="px-3 py-2">
                    <RoleText role={u.role} />
                  </td>
                  <td className="px-3 py-2 text-slate-800">{u.emailVerified ? "Yes" : "No"}</td>
                  <td className="px-3 py-2 text-slate-800">{u.twoFactor ? "On" : "Off"}</td>
                  <td className="px-3 py-2">
                    <StatusText disabled={u.disabled} />
                  </td>
                  <td className="px-3 py-2 text-slate-800">
                    <LastSignIn at={u.lastSignInAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {(pageNumber > 1 || nextCursor) && (
        <nav aria-label="User list pages" className="flex items-center justify-between gap-3">
          <button
            type="button"
            className={buttonClasses.secondary}
            disabled={loading || pageNumber === 1}
            onClick={() => void load({ query: view.query, cursors: view.cursors.slice(0, -1) })}
          >
            Previous
          </button>
          <span className="text-sm text-slate-600">Page {pageNumber}</span>
          <button
            type="button"
            className={buttonClasses.secondary}
            disabled={loading || !nextCursor}
            onClick={() => nextCursor && void load({ query: view.query, cursors: [...view.cursors, nextCursor] })}
          >
            Next page
          </button>
        </nav>
      )}
    </div>
  );
}

function UserLink({ user }: { user: AdminUser }) {
  return (
    <Link
      href={`/admin/users/${encodeURIComponent(user.id)}`}
      className="font-medium wrap-anywhere text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900"
    >
      {user.email}
    </Link>
  );
}

const RoleText = ({ role }: { role: AdminUser["role"] }) =>
  role === "admin" ? <Badge tone="indigo">Admin</Badge> : <span className="text-slate-800">User</span>;

const StatusText = ({ disabled }: { disabled: boolean }) =>
  disabled ? <Badge tone="amber">Disabled</Badge> : <span className="text-slate-800">Active</span>;

const LastSignIn = ({ at }: { at: number | null }) =>
  at === null ? <span className="text-slate-500">-</span> : <LocalTime ms={at} />;
