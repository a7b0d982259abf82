import { z } from "zod";
import { json, methodNotAllowed, readJson, route } from "@/lib/server/http";
import { oauthError, requestUri } from "@/lib/server/oauth";

const body = z.object({ token: z.string().min(1).max(4096), token_type_hint: z.string().max(64).optional() });

/**
 * RFC 7009 revocation: ends the session (family) of a refresh token. 200 whatever the token: an
 * unknown or already revoked one is not an error, and the answer reveals nothing. A DPoP-bound
 * session needs a proof from its key (RFC 9449), as its refreshes do: 400 invalid_dpop_proof.
 */
export const POST = route({ stateChanging: false, oauth: true }, async (req, { rt, meta }) => {
  const input = await readJson(req, body);
  const proof = req.headers.get("dpop");
  const result = await rt.auth.revokeRefreshToken(
    input.token,
    meta,
    proof === null ? null : { proof, url: requestUri(req, rt) },
  );
  if (!result.ok)
    return oauthError(400, "invalid_dpop_proof", "This token is bound to a DPoP key: send a proof from that key.");
  return json({});
});

export const GET = methodNotAllowed("POST", oauthError);
