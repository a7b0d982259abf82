import Link from "next/link";
import { buttonClasses } from "@/components/ui";

export const metadata = { title: "Session ended for your safety" };

/**
 * Where every tab lands when the server detects a refresh token used twice. It revokes the whole
 * token family: this session, on every device or copy that held it. Say exactly that.
 */
export default function SessionEndedPage() {
  return (
    <div className="mx-auto max-w-xl">
      <div className="rounded-xl border border-amber-300 bg-white p-6 shadow-sm sm:p-8">
        <div className="flex items-start gap-4">
          <span
            aria-hidden="true"
            className="grid size-10 shrink-0 place-items-center rounded-full bg-amber-100 text-amber-900"
          >
            <svg
              viewBox="0 0 24 24"
              className="size-5"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            >
              <path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6l8-3z" />
              <path d="M12 8v5M12 16h.01" />
            </svg>
          </span>
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">We signed you out to keep your account safe</h1>
            <p className="mt-3 text-slate-800">
              Your session&apos;s sign-in token was used twice. That happens when a copy of it exists somewhere else,
              for example if it was stolen. For your safety we ended this session everywhere it was being used: on this
              device and on any device that had a copy of it.
            </p>
            <h2 className="mt-6 font-semibold text-slate-900">What to do now</h2>
            <ol className="mt-2 list-decimal space-y-1 pl-5 text-slate-800">
              <li>Sign in again.</li>
              <li>
                If you didn&apos;t expect this, change your password and review your devices. Sign out any device you
                don&apos;t recognise.
              </li>
            </ol>
            <div className="mt-6 flex flex-wrap gap-3">
              <Link href="/login?next=%2Faccount%2Fsecurity" className={buttonClasses.primary}>
                Sign in again
              </Link>
              <Link href="/login?next=%2Faccount%2Fsessions" className={buttonClasses.secondary}>
                Sign in and review devices
              </Link>
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}
