import { errorJson, methodNotAllowed, requireUser, route } from "@/lib/server/http";

/**
 * GET /api/account/export: everything the app holds about the signed-in person, as a JSON file
 * (the account, two-step, passkeys, connected accounts, sessions, security events); never a hash,
 * secret or token. Audited.
 */
export const GET = route({ stateChanging: false }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const exported = await rt.auth.exportAccount(claims, meta);
  if (!exported.ok) return errorJson(404, "not_found", "This account no longer exists.");
  const day = new Date(rt.clock.now()).toISOString().slice(0, 10);
  return new Response(JSON.stringify(exported.data, null, 2), {
    status: 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="account-data-${day}.json"`,
      "Cache-Control": "no-store",
    },
  });
});

export const POST = methodNotAllowed("GET");
