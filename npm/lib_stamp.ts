// Whether `lib/` (npm/build.ts) was built from the sources as they are: the build writes
// `.lib_sources.json` at the checkout's root (not in lib/, which the package ships) last, with the size and modification time of every file it may have read
// (tph's own TypeScript under src/ and at the root, the build's own scripts, package.json); the
// tests run tph on Node as the npm package runs it, from lib/, and rebuild it first when it is
// missing or older than a source (tests/cli/commands/_cli.ts).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The stamp's file, at the checkout's root. */
export const STAMP = ".lib_sources.json";

/** A source and what it was when lib/ was built: path from the root, size, modification time. */
type Input = [string, number, number];

/** The files lib/ is built from, with their stamps, in a fixed order. */
export function libInputs(root: string): Input[] {
  const files: string[] = [];
  for (const e of readdirSync(join(root, "src"), { recursive: true, withFileTypes: true })) {
    // Not the checkout's own builds beside the sources (Bun's and Deno's bundles, their locks).
    if (e.isFile() && !e.name.startsWith(".")) files.push(join(e.parentPath, e.name));
  }
  for (const name of readdirSync(root)) {
    if (name.endsWith(".ts")) files.push(join(root, name));
  }
  for (const name of readdirSync(join(root, "npm"))) files.push(join(root, "npm", name));
  files.push(join(root, "package.json"));
  return files
    .map((f): Input => {
      const st = statSync(f);
      // Whole milliseconds: Node gives fractions, Deno's node:fs not.
      return [relative(root, f), st.size, Math.trunc(st.mtimeMs)];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The stamp's text for the sources as they are now. */
export function stampText(root: string): string {
  return JSON.stringify({ inputs: libInputs(root) });
}

/** Whether lib/ holds a build of the sources under `root` as they are now. */
export function libFresh(root: string): boolean {
  try {
    return readFileSync(join(root, STAMP), "utf8") === stampText(root);
  } catch {
    return false;
  }
}
