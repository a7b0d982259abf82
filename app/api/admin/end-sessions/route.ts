import { z } from "zod";
import { normaliseEmail } from "@/lib/auth";
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
  const admin = await requireAdmin(req, rt);
  const input = await readJson(req, body);
  const target = "userId" in input ? rt.store.userById(input.userId) : rt.store.userByEmail(normaliseEmail(input.email));
  if (!target) return errorJson(404, "not_found", "No account with that email address.");
  const result = rt.auth.endAllSessionsOf(target.id, admin.user.id, meta);
  if (!result.ok) return errorJson(404, "not_found", "No account with that email address.");
  return json({ ok: true, ended: result.ended, user: { id: target.id, email: target.email }, self: target.id === admin.user.id });
});

export const GET = methodNotAllowed("POST");
