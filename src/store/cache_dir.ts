import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
  mkdirSync(cacheDir, { recursive: true });
  try {
    // "wx": two runs creating the folder at once must not both write (or truncate) the file.
    writeFileSync(join(cacheDir, ".gitignore"), GITIGNORE, { flag: "wx" });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
}
