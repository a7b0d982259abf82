import { z } from "zod";
import { HttpError, json, methodNotAllowed, readJson, route } from "@/lib/server/http";
import { oauthError } from "@/lib/server/oauth";

const body = z.object({ token: z.string().min(1).max(4096), token_type_hint: z.string().max(64).optional() });

/**
 * RFC 7009 revocation: ends the session (family) of a refresh token. Always 200, whatever the
 * token: an unknown or already revoked one is not an error, and the answer reveals nothing.
 */
export const POST = route({ stateChanging: false }, async (req, { rt, meta }) => {
  let input: z.infer<typeof body>;
  try {
    input = await readJson(req, body);
  } catch (error) {
    if (error instanceof HttpError && error.status !== 413) return oauthError(400, "invalid_request", error.message);
    throw error;
  }
  await rt.auth.revokeRefreshToken(input.token, meta);
  return json({});
});

export const GET = methodNotAllowed("POST");
