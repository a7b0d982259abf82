import { parseAmr, type Amr } from "@/lib/auth/amr";
import type { AuthContext } from "@/lib/auth/context";
import type { ProviderId } from "@/lib/auth/store";
import { UAParser } from "ua-parser-js";

/** "Chrome 156 on Linux" and friends for the devices page, from a maintained parser. */
export function describeDevice(userAgent: string | null) {
  if (!userAgent) return { browser: "Unknown browser", os: "Unknown system", deviceType: "desktop" as const };
  const ua = new UAParser(userAgent).getResult();
  const browser = ua.browser.name
    ? `${ua.browser.name}${ua.browser.major ? ` ${ua.browser.major}` : ""}`
    : "Unknown browser";
  const os = ua.os.name ? `${ua.os.name}${ua.os.version ? ` ${ua.os.version}` : ""}` : "Unknown system";
  const deviceType = ua.device.type === "mobile" || ua.device.type === "tablet" ? ua.device.type : ("desktop" as const);
  return { browser, os, deviceType };
}

export type DeviceSession = {
  id: string;
  current: boolean;
  createdAt: number;
  lastUsedAt: number;
  ip: string | null;
  /** "native": signed in through the token endpoint (an app), not a browser. */
  client: "browser" | "native";
  /** Bound to a DPoP key: its tokens are useless without the device's private key. */
  dpopBound: boolean;
  /** A registered app that signed in through the browser (AUTH_NATIVE_CLIENTS): its name; else null. */
  appName: string | null;
  /** An app's own User-Agent ("ExampleApp/1.0"), which no browser parser names; null for browsers. */
  userAgent: string | null;
  /** How this session signed in, in words: "Password", "Password and authenticator app", "Passkey", … */
  signedInWith: string;
} & ReturnType<typeof describeDevice>;

/** A provider's name when it is no longer configured (its sessions may outlive the configuration). */
const PROVIDER_NAMES: Record<ProviderId, string> = { github: "GitHub", google: "Google", oidc: "Single sign-on" };

/** RFC 8176 values (and the provider's name, for "fed") as a person would say them. */
function describeAmr(amr: readonly Amr[], providerName: string | null): string {
  const parts: string[] = [];
  if (amr.includes("hwk") && amr.includes("user")) parts.push("Passkey");
  if (amr.includes("fed")) parts.push(providerName ?? "A provider");
  if (amr.includes("pwd")) parts.push("Password");
  if (amr.includes("otp")) parts.push("authenticator app");
  if (parts.length === 0) return "Password";
  const [first, ...rest] = parts;
  return rest.length ? `${first} and ${rest.join(" and ")}` : first;
}

/** The user's live sessions as devices (the devices page and GET /api/auth/sessions). */
export function createDevices(ctx: AuthContext) {
  const { store, clock, config } = ctx;
  const providerName = (id: ProviderId | null) =>
    id === null ? null : (config.providers.find((p) => p.id === id)?.name ?? PROVIDER_NAMES[id]);
  // An app removed from AUTH_NATIVE_CLIENTS still has its sessions: they show its client_id.
  const appName = (clientId: string | null) =>
    clientId === null ? null : (config.nativeClients.find((c) => c.clientId === clientId)?.name ?? clientId);
  return {
    async listDevices(userId: string, currentSessionId: string): Promise<DeviceSession[]> {
      const now = clock.now();
      const families = await store.activeFamilies(userId, now, now - ctx.idleMs);
      return families.map((f) => ({
        id: f.id,
        current: f.id === currentSessionId,
        createdAt: f.createdAt,
        lastUsedAt: f.lastUsedAt,
        ip: f.ip,
        client: f.client,
        dpopBound: f.dpopJkt !== null,
        appName: appName(f.nativeClientId),
        userAgent: f.client === "native" ? f.userAgent : null,
        signedInWith: describeAmr(parseAmr(f.amr), providerName(f.provider)),
        ...describeDevice(f.userAgent),
      }));
    },
    /** The device a session was signed in from (the dashboard's "this session"). */
    async deviceOf(familyId: string) {
      return describeDevice((await store.familyById(familyId))?.userAgent ?? null);
    },
  };
}
