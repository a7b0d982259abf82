import { z } from "zod";
import { errorJson, json, methodNotAllowed, readJson, route } from "@/lib/server/http";
import { requireAdmin } from "../_lib/require-admin";

const body = z.union([
  z.strictObject({ userId: z.string().min(1).max(100) }),
  z.strictObject({ email: z.string().trim().min(1, "Enter an email address.").max(254) }),
]);

/**
 * Admin: end every session of one user (all refresh families revoked, access tokens invalidated
 * through the token version). Takes `{ userId }` or `{ email }`.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const admin = await requireAdmin(req, rt, { stepUp: true });
  const input = await readJson(req, body);
  const result = await rt.auth.endAllSessionsOf(input, admin.user.id, meta);
  if (!result.ok) return errorJson(404, "not_found", "No account with that email address.");
  return json({ ok: true, ended: result.ended, user: result.user, self: result.user.id === admin.user.id });
});

export const GET = methodNotAllowed("POST");
