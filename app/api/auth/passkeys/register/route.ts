import {
  clearWebauthnCookie,
  challengeTokenFrom,
  errorJson,
  json,
  methodNotAllowed,
  readJson,
  reauthenticationRequired,
  requireUser,
  route,
} from "@/lib/server/http";
import { passkeyRegistrationBody } from "@/lib/server/request-bodies";

/** Verifies navigator.credentials.create()'s answer against this browser's challenge; stores the passkey. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const body = await readJson(req, passkeyRegistrationBody);
  const result = await rt.auth.registerPasskey(
    claims,
    { credential: body.credential as never, name: body.name },
    challengeTokenFrom(req),
    meta,
  );
  if (!result.ok && result.error === "reauthentication_required") throw reauthenticationRequired();
  const res = result.ok
    ? json({ passkey: result.passkey }, 201)
    : result.error === "already_registered"
      ? errorJson(409, "already_registered", "This passkey is already registered.")
      : errorJson(400, "invalid_passkey", "The passkey could not be verified. Try again.");
  return clearWebauthnCookie(res);
});

export const GET = methodNotAllowed("POST");
