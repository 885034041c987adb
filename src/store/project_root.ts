import { exists } from "../platform/files.ts";
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
 * import { findProjectRoot } from "./src/store/project_root.ts";
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

/**
 * The project root of a script: {@linkcode findProjectRoot} of its folder or, for a script inside
 * a `node_modules` folder (a test runner's bin: `tph run node_modules/mocha/bin/mocha.js`), of the
 * folder that holds the outermost `node_modules`. A package's own package.json there is not the
 * project's, and since `node_modules` is never in scope, a root inside it traces nothing.
 *
 * @param script The script's absolute path.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { scriptProjectRoot } from "./src/store/project_root.ts";
 * console.log(scriptProjectRoot("/app/node_modules/tape/bin/tape")); // "/app" when it has a marker
 * ```
 */
export function scriptProjectRoot(script: string): string {
  const dir = dirname(resolve(script));
  const parts = dir.split(/[\\/]/);
  const at = parts.indexOf("node_modules");
  return findProjectRoot(at > 0 ? parts.slice(0, at).join("/") || "/" : dir);
}
