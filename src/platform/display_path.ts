import { isAbsolute, relative } from "node:path";

/**
 * A path as messages show it: relative to the folder the user works in when it is inside it
 * (what they would type), else unchanged.
 *
 * @param path An absolute path.
 * @param cwd The folder the user works in; without it the path is returned unchanged.
 * @returns The path to show.
 *
 * @example
 * ```ts
 * import { displayPath } from "./src/platform/display_path.ts";
 * console.log(displayPath("/p/.tracepatch_cache", "/p")); // .tracepatch_cache
 * ```
 */
export function displayPath(path: string, cwd?: string): string {
  if (cwd === undefined) return path;
  const rel = relative(cwd, path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
