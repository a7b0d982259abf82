/**
 * Where a sign-in goes next (`next`, already a safe same-origin path). A page goes through the
 * router. The one API path allowed there, a native app's authorization request
 * (/api/auth/authorize), needs a full navigation: it answers with a redirect to the app, which the
 * router would otherwise fetch as data (and follow to the app's loopback address itself).
 */
export function goAfterSignIn(router: { replace(href: string): void; refresh(): void }, next: string) {
  if (next.startsWith("/api/")) {
    window.location.assign(next);
    return;
  }
  router.replace(next);
  router.refresh();
}
