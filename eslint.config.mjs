import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";

// Next's own rules (core-web-vitals: React, React hooks, jsx-a11y, import, @next/next)
// plus typescript-eslint's recommended set. Prettier owns formatting, so
// eslint-config-prettier comes last to switch off any stylistic rule that would fight it.
export default defineConfig([
  ...nextVitals,
  ...nextTs,
  prettier,
  {
    // `const { secret: _, ...rest } = row` is how a field is left out: not an unused variable.
    rules: { "@typescript-eslint/no-unused-vars": ["warn", { ignoreRestSiblings: true }] },
  },
  {
    // Playwright fixtures hand their value on through a callback the API names `use`; that is not
    // React's use(), and nothing under e2e/ renders React.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  globalIgnores([
    ".next/**",
    ".next-bench/**",
    "out/**",
    "build/**",
    "coverage/**",
    "reports/**",
    "test-results/**",
    "playwright-report/**",
    "blob-report/**",
    "bench/results/**",
    "db/*/migrations/**",
    ".data/**",
    ".keys/**",
    "next-env.d.ts",
    ".docs-check-*/**",
  ]),
]);
