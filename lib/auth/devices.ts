import { UAParser } from "ua-parser-js";

/** "Chrome 156 on Linux" and friends for the devices page, from a maintained parser. */
export function describeDevice(userAgent: string | null) {
  if (!userAgent) return { browser: "Unknown browser", os: "Unknown system", deviceType: "desktop" as const };
  const ua = new UAParser(userAgent).getResult();
  const browser = ua.browser.name ? `${ua.browser.name}${ua.browser.major ? ` ${ua.browser.major}` : ""}` : "Unknown browser";
  const os = ua.os.name ? `${ua.os.name}${ua.os.version ? ` ${ua.os.version}` : ""}` : "Unknown system";
  const deviceType = ua.device.type === "mobile" || ua.device.type === "tablet" ? ua.device.type : ("desktop" as const);
  return { browser, os, deviceType };
}
