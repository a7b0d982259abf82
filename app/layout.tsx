import type { Metadata, Viewport } from "next";
import { AuthProvider } from "@/components/auth-provider";
import { SiteHeader } from "@/components/site-header";
import { StepUpProvider } from "@/components/step-up";
import { getCurrentUser } from "@/lib/server/current-user";
import { getRuntime } from "@/lib/server/runtime";
import { sessionState } from "@/lib/auth/session-state";
import { getConfig } from "@/lib/config";
import "./globals.css";

/** The product's name is one setting (APP_NAME), read when the page renders. */
export function generateMetadata(): Metadata {
  const { appName } = getConfig();
  return {
    title: { default: appName, template: `%s · ${appName}` },
    description: "Short-lived JWTs, rotating refresh tokens and theft detection for Next.js",
  };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#4f46e5" };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Seed the provider from the server so a signed-in page never flashes a signed-out state.
  const current = await getCurrentUser();
  const initial = current
    ? sessionState(current.user, current.claims, current.sessionStartedAt)
    : { status: "unauthenticated" as const };
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col">
        <AuthProvider initial={initial} serverNow={(await getRuntime()).clock.now()}>
          <StepUpProvider>
            <SiteHeader appName={getConfig().appName} />
            <main id="main" className="mx-auto w-full max-w-4xl flex-1 px-4 py-8 sm:py-12">
              {children}
            </main>
            <footer className="border-t border-slate-200 py-6 text-center text-xs text-slate-600">
              Tokens live in httpOnly cookies only. Nothing about your session is kept in this page&apos;s storage.
            </footer>
          </StepUpProvider>
        </AuthProvider>
      </body>
    </html>
  );
}
