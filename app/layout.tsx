import type { Metadata } from "next";
import { AuthProvider } from "@/components/auth-provider";
import { SiteHeader } from "@/components/site-header";
import { getCurrentUser } from "@/lib/server/session";
import { accessState } from "@/lib/server/responses";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Auth Starter", template: "%s · Auth Starter" },
  description: "Short-lived JWTs, rotating refresh tokens and theft detection for Next.js",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Seed the provider from the server so a signed-in page never flashes a signed-out state.
  const current = await getCurrentUser();
  const initial = current ? accessState(current.user, current.claims, current.sessionStartedAt) : { status: "unauthenticated" as const };
  return (
    <html lang="en">
      <body className="min-h-screen">
        <AuthProvider initial={initial}>
          <SiteHeader />
          <main className="mx-auto w-full max-w-3xl px-4 py-10">{children}</main>
        </AuthProvider>
      </body>
    </html>
  );
}
