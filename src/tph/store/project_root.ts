import { exists } from "../../host/files.ts";
import { dirname, join, resolve } from "node:path";

const MARKERS = ["deno.json", "deno.jsonc", "package.json", ".git"];

/**
 * The project root of a folder: the nearest folder at or above it holding deno.json,
 * deno.jsonc, package.json or .git; the folder itself when there is none.
 *
 * @param startDir Where to start looking.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { findProjectRoot } from "./src/tph/store/project_root.ts";
 * console.log(findProjectRoot(Deno.cwd()));
 * ```
 */
export function findProjectRoot(startDir: string): string {
  const start = resolve(startDir);
  for (let dir = start;; dir = dirname(dir)) {
    if (MARKERS.some((m) => exists(join(dir, m)))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
