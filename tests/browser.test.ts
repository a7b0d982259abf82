import { describe, expect, it } from "vitest";
import { NO_CHROMIUM, findChromium, type BrowserProbe } from "@/e2e/browser";

const PLAYWRIGHTS = "/home/me/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome";

/** A machine where exactly these files are executable. */
function machine(files: string[], options: Partial<BrowserProbe> = {}): BrowserProbe {
  return {
    env: { PATH: "/usr/local/bin:/usr/bin", HOME: "/home/me" },
    platform: "linux",
    isExecutable: (file) => files.includes(file),
    playwrightChromium: () => PLAYWRIGHTS,
    ...options,
  };
}

describe("the Playwright suite's Chromium", () => {
  it("CHROMIUM_PATH first; a wrong one is named, not skipped", () => {
    const env = { CHROMIUM_PATH: "/opt/chrome/chrome" };
    expect(findChromium(machine(["/opt/chrome/chrome", PLAYWRIGHTS], { env }))).toEqual({
      path: "/opt/chrome/chrome",
      source: "CHROMIUM_PATH",
    });
    expect(findChromium(machine([PLAYWRIGHTS], { env }))).toEqual({
      error: "CHROMIUM_PATH=/opt/chrome/chrome is not an executable file.",
    });
  });

  it("then the browser `npx playwright install chromium` downloaded, before a system one", () => {
    expect(findChromium(machine([PLAYWRIGHTS, "/usr/bin/chromium"]))).toEqual({
      path: PLAYWRIGHTS,
      source: "npx playwright install",
    });
  });

  it("then a Chromium or Chrome on PATH or where its installer puts it", () => {
    expect(findChromium(machine(["/usr/local/bin/google-chrome", "/usr/bin/chromium"]))).toMatchObject({
      path: "/usr/local/bin/google-chrome",
    });
    expect(findChromium(machine(["/opt/google/chrome/chrome"]))).toMatchObject({ path: "/opt/google/chrome/chrome" });
    const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(findChromium(machine([chrome], { platform: "darwin" }))).toMatchObject({ path: chrome });
    const ownChromium = "/home/me/Applications/Chromium.app/Contents/MacOS/Chromium";
    expect(findChromium(machine([ownChromium], { platform: "darwin" }))).toMatchObject({ path: ownChromium });
  });

  it("nothing found: one line saying what to run", () => {
    const none = findChromium(machine([]));
    expect(none).toEqual({ error: NO_CHROMIUM });
    expect(NO_CHROMIUM).not.toContain("\n");
    expect(NO_CHROMIUM).toContain("npx playwright install chromium");
  });
});
