// tph test's guess at a project's runner when nothing names it (no test script, no runner's
// config): what its test files import. Bounded: so many folders and names looked through, so many
// files read, and the start of each.

import { join } from "node:path";
import { isDirectory, isPlainFile, readAt, readDir, stat } from "../../platform/files.ts";
import type { ProgramRuntime } from "../../program/command.ts";

/** A runner a test file's imports name. */
export type ImportedRunner = "bun" | "vitest" | "jest" | "node" | "deno";

/** What a test file holds when it is written for each runner. */
const SIGNS: readonly [ImportedRunner, string, RegExp][] = [
  ["bun", "bun:test", /(?:from|import|require\s*\()\s*["']bun:test["']/],
  ["vitest", "vitest", /(?:from|import|require\s*\()\s*["']vitest["']/],
  ["jest", "@jest/globals", /(?:from|import|require\s*\()\s*["']@jest\/globals["']/],
  ["node", "node:test", /(?:from|import|require\s*\()\s*["']node:test["']/],
  ["deno", "Deno.test", /\bDeno\.test(?:\.only|\.ignore)?\s*\(/],
];

/** The names the runners take for test files (`x.test.ts`, `x_test.ts`, `x.spec.js`, `test.js`). */
const TEST_FILE = /(?:^|[._-])(?:test|spec)\.[cm]?[jt]sx?$|^test-.+\.[cm]?[jt]sx?$/;
/** A source file in a folder of tests (`test/`, `tests/`, `__tests__/`). */
const SOURCE = /\.[cm]?[jt]sx?$/;
const TEST_FOLDER = /^(?:tests?|__tests__)$/;

/** The bounds of the look. */
export const LOOK = { folders: 2000, entries: 20_000, files: 200, bytes: 64 * 1024 };

/**
 * The runner the test files under `cwd` are written for, by the most files; on a tie, the one of
 * the runtime tph runs on, else the first of bun, vitest, jest, node, deno.
 *
 * @param cwd Where tph test runs.
 * @param own The runtime tph runs on.
 * @returns The runner and why (`3 of 4 test files import bun:test`), or null when none says.
 */
export function runnerFromImports(
  cwd: string,
  own: ProgramRuntime,
): { name: ImportedRunner; why: string } | null {
  const counts = new Map<ImportedRunner, number>();
  let files = 0;
  let folders = 0;
  let entries = 0;
  const queue: { dir: string; inTests: boolean }[] = [{ dir: cwd, inTests: false }];
  while (
    queue.length > 0 && folders < LOOK.folders && files < LOOK.files && entries < LOOK.entries
  ) {
    const { dir, inTests } = queue.shift()!;
    folders++;
    let names: string[];
    try {
      names = readDir(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (files >= LOOK.files || ++entries > LOOK.entries) break;
      if (name.startsWith(".") || name === "node_modules") continue;
      const path = join(dir, name);
      if (isDirectory(path)) {
        queue.push({ dir: path, inTests: inTests || TEST_FOLDER.test(name) });
        continue;
      }
      if (!(TEST_FILE.test(name) || (inTests && SOURCE.test(name))) || !isPlainFile(path)) continue;
      let text: string;
      try {
        const size = Math.min(stat(path).size, LOOK.bytes);
        text = new TextDecoder().decode(readAt(path, 0, size));
      } catch {
        continue;
      }
      files++;
      for (const [runner, , sign] of SIGNS) {
        if (sign.test(text)) counts.set(runner, (counts.get(runner) ?? 0) + 1);
      }
    }
  }
  if (counts.size === 0) return null;
  const most = Math.max(...counts.values());
  const tied = SIGNS.map(([r]) => r).filter((r) => counts.get(r) === most);
  const name = tied.includes(own) ? own : tied[0];
  const sign = SIGNS.find(([r]) => r === name)![1];
  const verb = name === "deno" ? "call" : "import";
  const others = tied.filter((r) => r !== name);
  const tie = others.length === 0
    ? ""
    : `, as many for ${others.join(", ")}${name === own ? ` (tph runs on ${own})` : ""}`;
  return {
    name,
    why: `${most} of ${files} test file${files === 1 ? "" : "s"} ${
      files === 1 ? verb + "s" : verb
    } ${sign}${tie}`,
  };
}
