import { ceremonyJson, methodNotAllowed, route } from "@/lib/server/http";

/**
 * Options for navigator.credentials.get() (no allowCredentials: the passkey says who), its
 * challenge bound to this browser by a cookie. Cheap and unauthenticated, like the sign-in page.
 */
export const POST = route({ stateChanging: true }, async (_req, { rt }) =>
  ceremonyJson(await rt.auth.passkeySignInOptions(), rt.clock.now()),
);

export const GET = methodNotAllowed("POST");
