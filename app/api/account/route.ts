import { z } from "zod";
import {
  clearSessionCookies,
  errorJson,
  json,
  methodNotAllowed,
  readJson,
  reauthenticationRequired,
  requireUser,
  route,
} from "@/lib/server/http";

const body = z.strictObject({ email: z.string().trim().min(1, "Type your email address to confirm.").max(254) });

/**
 * DELETE /api/account { email }: deletes the signed-in person's account (a recent sign-in, the
 * address typed to confirm). Every session ends; both cookies are cleared; a notice is mailed.
 */
export const DELETE = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const { email } = await readJson(req, body);
  const result = await rt.auth.deleteAccount(claims, email, meta);
  if (result.ok) return clearSessionCookies(json({ ok: true }));
  switch (result.error) {
    case "reauthentication_required":
      throw reauthenticationRequired();
    case "confirmation_mismatch":
      return errorJson(400, "confirmation_mismatch", "That is not your account's email address.");
    case "last_admin":
      return errorJson(
        409,
        "last_admin",
        "You are the last administrator: make another one before deleting your account.",
      );
    default:
      return errorJson(404, "not_found", "This account no longer exists.");
  }
});

export const GET = methodNotAllowed("DELETE");
