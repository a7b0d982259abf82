import {
  errorJson,
  json,
  methodNotAllowed,
  readJson,
  reauthenticationRequired,
  requireUser,
  route,
} from "@/lib/server/http";
import { passkeyRenameBody } from "@/lib/server/request-bodies";

/** Renames one of the user's passkeys. */
export const PATCH = route<{ id: string }>({ stateChanging: true }, async (req, { rt, params }) => {
  const { claims } = await requireUser(req, rt);
  const { name } = await readJson(req, passkeyRenameBody);
  const result = await rt.auth.renamePasskey(claims, params.id, name);
  return result.ok ? json({ ok: true }) : errorJson(404, "not_found", "No such passkey.");
});

/** Removes one of the user's passkeys (a recent sign-in needed: step-up). */
export const DELETE = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const { claims } = await requireUser(req, rt);
  const result = await rt.auth.removePasskey(claims, params.id, meta);
  if (!result.ok && result.error === "reauthentication_required") throw reauthenticationRequired();
  return result.ok ? json({ ok: true }) : errorJson(404, "not_found", "No such passkey.");
});

export const GET = methodNotAllowed("PATCH, DELETE");
