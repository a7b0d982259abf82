/**
 * "Continue with GitHub", "Continue with Google", "Continue with <AUTH_OIDC_NAME>": plain links
 * (the flow starts with a GET that redirects to the provider), only for configured providers.
 * Server-rendered from the configuration; no script needed.
 */
export type OfferedProvider = { id: string; name: string };

export function ProviderButtons({ providers, next }: { providers: OfferedProvider[]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="mt-6 space-y-3">
      <div className="flex items-center gap-3 text-xs font-medium uppercase tracking-wide text-slate-500">
        <span className="h-px flex-1 bg-slate-200" aria-hidden="true" />
        or continue with a provider
        <span className="h-px flex-1 bg-slate-200" aria-hidden="true" />
      </div>
      <ul className="space-y-2">
        {providers.map((p) => (
          <li key={p.id}>
            <a
              href={`/api/auth/oauth/${encodeURIComponent(p.id)}?next=${encodeURIComponent(next)}`}
              className="flex w-full items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600/40"
            >
              <ProviderMark id={p.id} name={p.name} />
              Continue with {p.name}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A small neutral mark per provider (no brand assets to license or keep up to date). */
export function ProviderMark({ id, name }: { id: string; name: string }) {
  const letter = id === "github" ? "GH" : (name.trim()[0] ?? "?").toUpperCase();
  const tone =
    id === "github"
      ? "bg-slate-900 text-white"
      : id === "google"
        ? "bg-sky-600 text-white"
        : "bg-indigo-600 text-white";
  return (
    <span aria-hidden="true" className={`grid size-5 place-items-center rounded text-[0.65rem] font-bold ${tone}`}>
      {letter}
    </span>
  );
}
