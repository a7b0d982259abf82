/**
 * The Chromium the Playwright suite drives; the first found wins: CHROMIUM_PATH; the browser
 * `npx playwright install chromium` downloaded (Playwright knows where its revision lives); a
 * Chromium or Chrome on PATH or where its installer puts it. Nothing found: one line saying what to
 * run, instead of a launch error per test.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

/**
 * No sandbox: as root (CI containers) Chromium's sandbox cannot start. The rest keeps a test
 * browser to itself: no update checks, sync, component downloads or QUIC probes, only the app.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export const NO_CHROMIUM =
  "No Chromium for the Playwright suite: run `npx playwright install chromium` (or set CHROMIUM_PATH to a Chromium or Chrome).";

/** What the search looks at, injectable so the order can be tested. */
export type BrowserProbe = {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  isExecutable(file: string): boolean;
  /** Where Playwright's own Chromium for this version is (or would be) installed. */
  playwrightChromium(): string | undefined;
};

const PATH_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

function usualPlaces(platform: NodeJS.Platform, home: string | undefined): string[] {
  if (platform === "darwin") {
    const apps = ["/Applications", ...(home ? [path.join(home, "Applications")] : [])];
    return apps.flatMap((dir) => [
      path.join(dir, "Google Chrome.app/Contents/MacOS/Google Chrome"),
      path.join(dir, "Chromium.app/Contents/MacOS/Chromium"),
    ]);
  }
  return [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/opt/google/chrome/chrome",
    "/snap/bin/chromium",
  ];
}

export type FoundBrowser = { path: string; source: string };

/** The browser to launch, or an error message of one line. */
export function findChromium(probe: BrowserProbe = systemProbe()): FoundBrowser | { error: string } {
  const { CHROMIUM_PATH } = probe.env;
  if (CHROMIUM_PATH) {
    return probe.isExecutable(CHROMIUM_PATH)
      ? { path: CHROMIUM_PATH, source: "CHROMIUM_PATH" }
      : { error: `CHROMIUM_PATH=${CHROMIUM_PATH} is not an executable file.` };
  }
  const bundled = probe.playwrightChromium();
  if (bundled && probe.isExecutable(bundled)) return { path: bundled, source: "npx playwright install" };
  const onPath = (probe.env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .flatMap((dir) => PATH_NAMES.map((name) => path.join(dir, name)));
  for (const file of [...onPath, ...usualPlaces(probe.platform, probe.env.HOME)]) {
    if (probe.isExecutable(file)) return { path: file, source: "system" };
  }
  return { error: NO_CHROMIUM };
}

/** For playwright.config.ts and anything else that launches Chromium: the path, or exit with the one line. */
export function chromiumExecutable(): string {
  const found = findChromium();
  if ("error" in found) {
    console.error(found.error);
    process.exit(1);
  }
  return found.path;
}

function systemProbe(): BrowserProbe {
  return {
    env: process.env,
    platform: process.platform,
    isExecutable(file) {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    playwrightChromium() {
      try {
        return chromium.executablePath();
      } catch {
        return undefined; // a platform Playwright has no build for
      }
    },
  };
}
