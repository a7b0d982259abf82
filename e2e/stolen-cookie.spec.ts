import { expect, nextRefresh, signInThroughUi, test } from "./fixtures";

// Short lifetimes: the victim's tab rotates its refresh token every few seconds; the grace window is
// 2 s. On SQLite (`short`) and on PostgreSQL (`pg`).
for (const server of ["short", "pg"] as const) {
  test.describe(`on ${server}`, () => {
    test.use({ server });

    test("a stolen refresh cookie replayed after the real one rotated signs out both, and the user sees why", async ({
      signedInPage: victim,
      user,
      cloneContext,
    }) => {
      const thief = await (await cloneContext(victim.context())).newPage();

      // The victim's tab rotates twice: the copied token is now spent, and outside the grace window.
      await nextRefresh(victim, 200);
      await nextRefresh(victim, 200);

      // The thief replays the copy: reuse detected, the whole session (token family) is revoked.
      const replay = nextRefresh(thief, 401);
      await thief.goto("/login");
      expect((await (await replay).json()).error).toBe("session_revoked_reuse");
      await expect(thief).toHaveURL(/\/session-ended$/);

      // The victim's tab finds out at its next refresh and explains what happened.
      await expect(victim).toHaveURL(/\/session-ended$/, { timeout: 20_000 });
      await expect(victim.getByRole("heading", { level: 1 })).toHaveText("We signed you out to keep your account safe");
      await expect(victim.getByText("on this device and on any device that had a copy of it")).toBeVisible();

      // Signing in again, the security page shows the event in plain words.
      await signInThroughUi(victim, user, server);
      await victim.goto("/account/security");
      await expect(victim.locator('[data-event-type="refresh_reuse_detected"]')).toContainText(
        "A sign-in token was used twice",
      );
    });
  });
}
