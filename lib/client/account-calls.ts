import { apiRequest } from "@/lib/client/api-call";

/**
 * The security page's requests, each a function that answers the raw Response so the page can run
 * it through withStepUp (components/step-up.tsx): a 401 reauthentication_required asks "Confirm
 * it's you" and runs the same function again. Read the answers with readAnswer (api-call.ts).
 */

const id = (value: string) => encodeURIComponent(value);

export const accountCalls = {
  listPasskeys: () => apiRequest("GET", "/api/auth/passkeys"),
  passkeyRegistrationOptions: () => apiRequest("POST", "/api/auth/passkeys/register/options"),
  registerPasskey: (credential: unknown, name: string | null) =>
    apiRequest("POST", "/api/auth/passkeys/register", { credential, name }),
  renamePasskey: (passkeyId: string, name: string) =>
    apiRequest("PATCH", `/api/auth/passkeys/${id(passkeyId)}`, { name }),
  removePasskey: (passkeyId: string) => apiRequest("DELETE", `/api/auth/passkeys/${id(passkeyId)}`),

  twoFactorStatus: () => apiRequest("GET", "/api/auth/two-factor"),
  beginTwoFactorSetup: () => apiRequest("POST", "/api/auth/two-factor/setup"),
  enableTwoFactor: (code: string) => apiRequest("POST", "/api/auth/two-factor/enable", { code }),
  disableTwoFactor: () => apiRequest("POST", "/api/auth/two-factor/disable"),
  newRecoveryCodes: () => apiRequest("POST", "/api/auth/two-factor/recovery-codes"),

  providers: () => apiRequest("GET", "/api/auth/providers"),
  /** Answers `{ location }`: the provider's page, where the browser goes next. */
  connectProvider: (provider: string) => apiRequest("POST", `/api/auth/oauth/${id(provider)}`),
  disconnectProvider: (provider: string) => apiRequest("DELETE", `/api/auth/providers/${id(provider)}`),

  /** The address typed to confirm; both cookies are cleared on success. */
  deleteAccount: (email: string) => apiRequest("DELETE", "/api/account", { email }),
};

/** Where "Download your data" points: a GET that answers a JSON attachment. */
export const EXPORT_URL = "/api/account/export";
