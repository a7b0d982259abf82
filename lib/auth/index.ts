import { createAccountData } from "@/lib/auth/account-data";
import { createAdministration } from "@/lib/auth/administration";
import { createAudit } from "@/lib/auth/audit";
import { createAuthorizationCodes } from "@/lib/auth/authorization-code";
import { createContext, type AuthDeps } from "@/lib/auth/context";
import { createDevices } from "@/lib/auth/devices";
import { createFullCheck } from "@/lib/auth/full-check";
import { createPasswordChange } from "@/lib/auth/password-change";
import { createRevocation } from "@/lib/auth/revocation";
import { createRotation } from "@/lib/auth/rotation";
import { createNative } from "@/lib/auth/native";
import { createRecovery } from "@/lib/auth/recovery";
import { createPipeline } from "@/lib/auth/pipeline";
import { createSignIn } from "@/lib/auth/sign-in";
import { createPasskeys } from "@/lib/auth/passkeys";
import { createProviders } from "@/lib/auth/providers";
import { createStepUp } from "@/lib/auth/step-up";
import { createTwoFactor } from "@/lib/auth/two-factor";

/**
 * The auth core: every lifecycle rule lives in lib/auth, with time, randomness and storage
 * injected. Route handlers parse input, call one of these, and map the result to a response.
 * Each operation returns `{ ok: true, … }` or `{ ok: false, error }` (lib/auth/results.ts).
 */
export function createAuth(deps: AuthDeps) {
  const ctx = createContext(deps);
  const pipeline = createPipeline(ctx);
  const recovery = createRecovery(ctx, pipeline);
  const signIn = createSignIn(ctx, pipeline, recovery);
  const rotation = createRotation(ctx);
  const twoFactor = createTwoFactor(ctx, pipeline);
  const passkeys = createPasskeys(ctx, pipeline);
  const providers = createProviders(ctx, pipeline);
  const devices = createDevices(ctx);
  const audit = createAudit(ctx);
  return {
    ...signIn,
    ...recovery,
    ...rotation,
    ...twoFactor,
    ...passkeys,
    ...createStepUp(ctx, twoFactor, passkeys),
    ...providers,
    ...createNative(ctx, signIn, rotation, twoFactor, pipeline),
    ...createAuthorizationCodes(ctx),
    ...createFullCheck(ctx),
    ...createRevocation(ctx),
    ...createPasswordChange(ctx),
    ...devices,
    ...audit,
    ...createAdministration(ctx, devices),
    ...createAccountData(ctx, { ...twoFactor, ...passkeys, ...providers, ...devices, ...audit }),
    /** Records an audit event that no core operation records itself (CSRF refusals, 429s). */
    record: ctx.record,
    /** Step-up: whether a session authenticated within STEP_UP_MAX_AGE (sensitive actions ask). */
    recentlyAuthenticated: ctx.recentlyAuthenticated,
  };
}

export type Auth = ReturnType<typeof createAuth>;
export type { AuthDeps, IssuedAccess, IssuedRefresh } from "@/lib/auth/context";
export { normaliseEmail } from "@/lib/auth/users";
