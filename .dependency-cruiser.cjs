/**
 * The import rules of docs/architecture.md, checked by `npm run check` (dependency-cruiser).
 * Each rule says who may not import what, and why; a violation fails the check with the rule's
 * name and the offending import. Type-only imports are erased at build time: where a rule allows
 * them, it says so.
 */
const APP_CODE = "^(app|components|lib|db|proxy\\.ts|instrumentation\\.ts)";
const DRIVERS = "node_modules/(better-sqlite3|pg|pg-[a-z-]+|drizzle-orm|rate-limiter-flexible|nodemailer)/";

module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment:
        "lib/auth is the auth core: every rule, time and randomness and storage injected. It imports no " +
        "framework, driver or other layer; the only database file it may name is db/rows.ts, for row types.",
      severity: "error",
      from: { path: "^lib/auth/" },
      to: {
        path: "^(app|components|db|lib/(server|security|mail|client|routing|native|shared)|proxy\\.ts)",
        pathNot: "^db/rows\\.ts$",
      },
    },
    {
      name: "core-reads-row-types-only",
      comment: "lib/auth may import db/rows.ts for types only (import type): no database code runs in the core.",
      severity: "error",
      from: { path: "^lib/auth/" },
      to: { path: "^db/rows\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "core-has-no-framework-or-driver",
      severity: "error",
      from: { path: "^lib/auth/" },
      to: { path: `node_modules/(next|react|react-dom|pino)/|${DRIVERS}`, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "proxy-reaches-no-database",
      comment:
        "proxy.ts runs on every request and verifies tokens without the database: nothing it imports, " +
        "however indirectly, may load a storage engine or a driver (it would be bundled into the proxy).",
      severity: "error",
      from: { path: "^proxy\\.ts$" },
      to: { path: `^db/|${DRIVERS}`, reachable: true },
    },
    {
      name: "only-the-runtime-opens-the-database",
      comment:
        "Route handlers and pages call the core (lib/server/runtime.ts wires it to the engine); only the " +
        "runtime, scripts, tests and the benchmark open db/ directly.",
      severity: "error",
      from: { path: APP_CODE, pathNot: "^(db/|lib/server/runtime\\.ts$|lib/auth/)" },
      to: { path: "^db/" },
    },
    {
      name: "engines-implement-the-contract",
      comment:
        "db/<engine> implements the Store of lib/auth/store.ts and imports nothing else from lib/ but the " +
        "constants its schema needs and the shared types.",
      severity: "error",
      from: { path: "^db/" },
      to: {
        path: "^(app|components|lib|proxy\\.ts)",
        pathNot: "^lib/(auth/(store|store-rows|roles|mail)\\.ts|shared/|config/)",
      },
    },
    {
      name: "security-is-below-the-server",
      comment:
        "lib/security (limits, origin, headers, client IP) is used by lib/server and the proxy, never the reverse.",
      severity: "error",
      from: { path: "^lib/security/" },
      to: { path: "^(app|components|db|lib/(server|mail|client|auth)|proxy\\.ts)" },
    },
    {
      name: "mail-renders-what-the-core-decides",
      comment:
        "lib/mail renders the core's mail intents and sends the queue; it reads the contract types and " +
        "the sealer of lib/auth, nothing of the server or the database.",
      severity: "error",
      from: { path: "^lib/mail/" },
      to: {
        path: "^(app|components|db|lib/(server|security|client|auth)|proxy\\.ts)",
        pathNot: "^lib/auth/(mail|sealed|store|store-rows)\\.ts$",
      },
    },
    {
      name: "shared-and-config-are-leaves",
      comment:
        "lib/shared (logger, shared types) and lib/config may be imported by every server layer: they import none.",
      severity: "error",
      from: { path: "^lib/(shared|config)/" },
      to: { path: APP_CODE, pathNot: "^lib/(shared|config)/" },
    },
    {
      name: "routing-is-pure",
      severity: "error",
      from: { path: "^lib/routing/" },
      to: { path: APP_CODE, pathNot: "^lib/routing/" },
    },
    {
      name: "client-is-browser-code-without-react",
      comment:
        "lib/client runs in the browser: no React (components/auth-provider.tsx wraps it), no server code; " +
        "from the core only the session state's type.",
      severity: "error",
      from: { path: "^lib/client/" },
      to: {
        path: `^(app|components|db|lib/(server|security|mail|shared|native)|proxy\\.ts)|node_modules/(react|react-dom|next)/|${DRIVERS}`,
      },
    },
    {
      name: "client-reads-core-types-only",
      severity: "error",
      from: { path: "^lib/client/" },
      to: { path: "^lib/auth/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "components-talk-to-the-server-over-http",
      comment:
        "components/ render in the browser (and on the server for the first paint): they reach the server " +
        "through lib/client, never lib/server or the database; from the core, types and pure helpers only.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: `^(app|db|lib/(server|security|mail|shared)|proxy\\.ts)|${DRIVERS}` },
    },
    {
      name: "lib-does-not-import-pages",
      severity: "error",
      from: { path: "^(lib|db)/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "examples-stand-outside",
      comment: "examples/ are separate programs that talk to the app over HTTP: they import only pure helpers.",
      severity: "error",
      from: { path: "^examples/" },
      to: {
        path: "^(app|components|db|lib|proxy\\.ts)",
        pathNot: "^lib/(auth/dpop|native/dpop-proof|config/duration)\\.ts$",
      },
    },
    {
      name: "product-does-not-import-tests",
      severity: "error",
      from: { path: "^(app|components|lib|db|examples|scripts|proxy\\.ts|instrumentation\\.ts)" },
      to: { path: "^(tests|e2e|bench)/" },
    },
    {
      name: "no-circular",
      comment: "Cycles of runtime imports (type-only cycles are erased and harmless).",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|\\.next-bench|node_modules|reports|test-results|\\.docs-check-[^/]*)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types"],
    },
  },
};
