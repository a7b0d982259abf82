"use client";

import { useEffect, useRef } from "react";

type Tone = "success" | "warning" | "info";

const tones: Record<Tone, string> = {
  success: "bg-emerald-100 text-emerald-900",
  warning: "bg-amber-100 text-amber-900",
  info: "bg-indigo-100 text-indigo-900",
};

const icons: Record<Tone, React.ReactNode> = {
  success: <path d="M5 12.5l4.5 4.5L19 7.5" />,
  warning: (
    <path d="M12 8v5M12 16h.01M10.3 3.9L2.6 17.2A2 2 0 004.3 20h15.4a2 2 0 001.7-2.8L13.7 3.9a2 2 0 00-3.4 0z" />
  ),
  info: <path d="M4 6h16v12H4zM4 7l8 6 8-6" />,
};

/**
 * One outcome of a flow (sent, changed, confirmed, link not working): an icon, a heading that
 * takes focus when it appears (screen-reader and keyboard users land on the news), the message
 * and the way forward.
 */
export function StatusPanel({
  tone,
  title,
  children,
  headingLevel = 2,
  focusOnMount = true,
}: {
  tone: Tone;
  title: string;
  children: React.ReactNode;
  headingLevel?: 1 | 2;
  focusOnMount?: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnMount) heading.current?.focus();
  }, [focusOnMount]);
  const Heading = headingLevel === 1 ? "h1" : "h2";
  return (
    <div>
      <div className="flex items-center gap-3">
        <span aria-hidden="true" className={`grid size-10 shrink-0 place-items-center rounded-full ${tones[tone]}`}>
          <svg
            viewBox="0 0 24 24"
            className="size-5"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
          >
            {icons[tone]}
          </svg>
        </span>
        <Heading
          ref={heading}
          tabIndex={-1}
          className={`font-semibold tracking-tight text-slate-900 focus:outline-none ${headingLevel === 1 ? "text-2xl" : "text-xl"}`}
        >
          {title}
        </Heading>
      </div>
      {/* Full width below the heading: in a narrow card an icon column would squeeze long addresses. */}
      <div className="mt-4 space-y-3 text-slate-800">{children}</div>
    </div>
  );
}
