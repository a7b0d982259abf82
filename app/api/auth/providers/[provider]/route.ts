import { PROVIDER_IDS, type ProviderId } from "@/lib/auth/store";
import { errorJson, json, methodNotAllowed, reauthenticationRequired, requireUser, route } from "@/lib/server/http";

/** Disconnects a provider (step-up); the last way to sign in cannot be removed. */
export const DELETE = route<{ provider: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const { claims } = await requireUser(req, rt);
  if (!(PROVIDER_IDS as readonly string[]).includes(params.provider))
    return errorJson(404, "not_found", "Not connected.");
  const result = await rt.auth.disconnectProvider(claims, params.provider as ProviderId, meta);
  if (result.ok) return json({ ok: true });
  if (result.error === "reauthentication_required") throw reauthenticationRequired();
  if (result.error === "last_sign_in_method")
    return errorJson(
      409,
      "last_sign_in_method",
      "This is your only way to sign in. Set a password or add a passkey first.",
    );
  return errorJson(404, "not_found", "Not connected.");
});

export const GET = methodNotAllowed("DELETE");
