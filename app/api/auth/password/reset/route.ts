import { errorJson, json, methodNotAllowed, readJson, route } from "@/lib/server/http";
import { resetPasswordBody } from "@/lib/server/request-bodies";

/** Sets a new password from a reset link. Every session ends: the user signs in again. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { token, newPassword } = await readJson(req, resetPasswordBody);
  const result = await rt.auth.resetPassword(token, newPassword, meta);
  if (!result.ok) {
    return errorJson(400, "invalid_token", "This link is invalid, already used or expired. Ask for a new one.");
  }
  return json({ ok: true });
});

export const GET = methodNotAllowed("POST");
