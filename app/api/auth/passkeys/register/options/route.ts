import {
  ceremonyJson,
  errorJson,
  methodNotAllowed,
  reauthenticationRequired,
  requireUser,
  route,
} from "@/lib/server/http";

/** Options for navigator.credentials.create(), its challenge bound to this browser by a cookie. */
export const POST = route({ stateChanging: true }, async (req, { rt }) => {
  const { claims } = await requireUser(req, rt);
  const result = await rt.auth.passkeyRegistrationOptions(claims);
  if (!result.ok) {
    if (result.error === "reauthentication_required") throw reauthenticationRequired();
    if (result.error === "too_many")
      return errorJson(409, "too_many_passkeys", "Remove a passkey before adding another.");
    return errorJson(401, "unauthenticated", "Sign in to continue.");
  }
  return ceremonyJson(result, rt.clock.now());
});

export const GET = methodNotAllowed("POST");
