/**
 * docs/extending.md stays true: every code block it marks with a file name (```ts file=…) is
 * written into a scratch folder of this tree and type-checked with the project's settings, so a
 * recipe that no longer compiles against the code fails the suite.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const GUIDE = path.join(process.cwd(), "docs", "extending.md");
const BLOCK = /```(?:ts|tsx) file=(\S+)\n([\s\S]*?)```/g;

it("the guide's code compiles against this tree", () => {
  const blocks = [...fs.readFileSync(GUIDE, "utf8").matchAll(BLOCK)].map(([, file, code]) => ({ file, code }));
  expect(blocks.map((b) => b.file)).toEqual([
    "app/projects/page.tsx",
    "app/api/notes/schema.ts",
    "app/api/notes/route.ts",
    "lib/server/require-editor.ts",
  ]);
  // Inside the project (so "@/…", "next/…" and "zod" resolve as they do for the app), git-ignored.
  const scratch = fs.mkdtempSync(path.join(process.cwd(), ".docs-check-"));
  try {
    for (const { file, code } of blocks) {
      fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      fs.writeFileSync(path.join(scratch, file), code);
    }
    fs.writeFileSync(
      path.join(scratch, "tsconfig.json"),
      JSON.stringify({
        extends: "../tsconfig.json",
        compilerOptions: { incremental: false, noEmit: true, paths: { "@/*": ["../*"] } },
        include: ["**/*.ts", "**/*.tsx"],
        exclude: [],
      }),
    );
    const tsc = path.join(process.cwd(), "node_modules", "typescript", "bin", "tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", path.join(scratch, "tsconfig.json")], { encoding: "utf8" });
    } catch (error) {
      throw new Error(`docs/extending.md does not compile:\n${(error as { stdout?: string }).stdout ?? error}`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}, 120_000);
