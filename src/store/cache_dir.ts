import { join } from "node:path";
import { makeDir, readDir, remove, stat, writeText } from "../runtime/_files.ts";

/** Folder name of the run cache inside a project root. */
export const CACHE_DIR_NAME = ".tracepatch_cache";

const GITIGNORE = "# Written by tph: saved runs are local to this machine.\n*\n";

/**
 * Create the cache folder if needed, with a `.gitignore` that ignores everything in it, so a
 * project never commits its runs by accident.
 *
 * @param cacheDir The cache folder.
 *
 * @example
 * ```ts
 * import { ensureCacheDir } from "./src/store/cache_dir.ts";
 * ensureCacheDir("/tmp/demo/.tracepatch_cache");
 * ```
 */
export function ensureCacheDir(cacheDir: string): void {
  makeDir(cacheDir);
  try {
    // "wx": two runs creating the folder at once must not both write (or truncate) the file.
    writeText(join(cacheDir, ".gitignore"), GITIGNORE, { exclusive: true });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
}

/** How old a temporary file must be before it counts as left behind. */
const STALE_MS = 60 * 60 * 1000;

/**
 * Remove temporary files that a tph killed before it could finish left in the cache folder:
 * dot-named `.tmp` files (and their `.ending.json`) older than an hour. A run's file is written
 * when the program ends and stored right after, so a recent one may be another run's.
 *
 * @param cacheDir The cache folder.
 * @param now The current time in ms (for tests).
 * @returns How many files were removed.
 *
 * @example
 * ```ts
 * import { removeStaleTemps } from "./src/store/cache_dir.ts";
 * removeStaleTemps("/tmp/demo/.tracepatch_cache");
 * ```
 */
export function removeStaleTemps(cacheDir: string, now = Date.now()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readDir(cacheDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(".") || !/\.tmp(?:\.ending\.json)?$/.test(name)) continue;
    const path = join(cacheDir, name);
    try {
      if (now - stat(path).mtimeMs > STALE_MS) {
        remove(path);
        removed++;
      }
    } catch {
      // Gone already (another tph swept it): nothing to do.
    }
  }
  return removed;
}
