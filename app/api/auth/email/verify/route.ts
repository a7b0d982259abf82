import { errorJson, json, methodNotAllowed, readJson, route } from "@/lib/server/http";
import { verifyEmailBody } from "@/lib/server/request-bodies";

/** Confirms the address from a verification link (no session needed: the link is the proof). */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { token } = await readJson(req, verifyEmailBody);
  const result = await rt.auth.verifyEmail(token, meta);
  if (!result.ok) {
    return errorJson(
      400,
      "invalid_token",
      "This link is invalid, already used or expired. Sign in and ask for a new one.",
    );
  }
  return json({ ok: true });
});

export const GET = methodNotAllowed("POST");
