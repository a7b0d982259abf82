import { ceremonyJson, errorJson, methodNotAllowed, requireUser, route } from "@/lib/server/http";

/** Options for confirming with a passkey (the user's own passkeys only), the challenge bound by a cookie. */
export const POST = route({ stateChanging: true }, async (req, { rt }) => {
  const { claims } = await requireUser(req, rt);
  const result = await rt.auth.passkeyReauthenticationOptions(claims);
  if (!result.ok) return errorJson(409, "no_passkeys", "You have no passkey: confirm with your password or a code.");
  return ceremonyJson(result, rt.clock.now());
});

export const GET = methodNotAllowed("POST");
