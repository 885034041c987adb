import { dirname, join } from "node:path";
import { exists, readText } from "../platform/files.ts";
import { JSON, Map } from "../platform/globals.ts";

/** A package.json: its path and its "type" field. */
export interface PackageInfo {
  path: string;
  type: string | undefined;
}

/**
 * The package.json that governs files in a folder (the nearest one at or above it) and its
 * "type" field, as the runtimes read it.
 *
 * @param dir The folder.
 * @returns Its path and type (undefined when the field is absent or the file unreadable), or
 *   null when there is none up to the root.
 *
 * @example
 * ```ts
 * import { nearestPackage } from "./src/project/nearest_package.ts";
 * console.log(nearestPackage(Deno.cwd())?.type);
 * ```
 */
export function nearestPackage(dir: string): PackageInfo | null {
  for (;; dir = dirname(dir)) {
    const path = join(dir, "package.json");
    if (exists(path)) {
      try {
        return { path, type: JSON.parse(readText(path)).type };
      } catch {
        // An unreadable package.json is the runtime's to report.
        return { path, type: undefined };
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * {@linkcode nearestPackage} of a file's folder, looked up once per folder.
 *
 * @param path The file's absolute path.
 * @param packages Cache of the package.json governing each folder.
 */
export function packageOf(
  path: string,
  packages: Map<string, PackageInfo | null>,
): PackageInfo | null {
  const dir = dirname(path);
  let pkg = packages.get(dir);
  if (pkg === undefined) packages.set(dir, pkg = nearestPackage(dir));
  return pkg;
}
