import { join } from "node:path";
import {
  exists,
  isPlainFile,
  makeDir,
  readDir,
  remove,
  stat,
  writeText,
} from "../runtime/_files.ts";

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
  // The `.gitignore` goes only into a folder tph makes: never among the user's own files.
  if (exists(cacheDir)) return;
  // Only the user can list the runs (their arguments may be secrets).
  makeDir(cacheDir, 0o700);
  try {
    // "wx": two runs creating the folder at once must not both write (or truncate) the file.
    writeText(join(cacheDir, ".gitignore"), GITIGNORE, { exclusive: true });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
}

// Folders that are never a run cache: the system's own.
const SYSTEM_DIRS = new Set([
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib32",
  "/lib64",
  "/opt",
  "/proc",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/tmp",
  "/usr",
  "/var",
  "/var/tmp",
]);

/**
 * Why a folder cannot be a run cache (tph writes runs there and removes its own temporary files
 * from it), or null when it can: the file system's root or a system folder, the home folder, or
 * the project root itself.
 *
 * @param cacheDir The folder, absolute.
 * @param root The project root.
 * @param home The home folder, if known.
 */
export function unsafeCacheDir(cacheDir: string, root: string, home?: string): string | null {
  const dir = cacheDir.length > 1 ? cacheDir.replace(/\/+$/, "") : cacheDir;
  if (SYSTEM_DIRS.has(dir) || /^\/usr\//.test(dir)) return "a system folder";
  if (home !== undefined && dir === home.replace(/\/+$/, "")) return "the home folder";
  if (dir === root.replace(/\/+$/, "")) return "the project root itself";
  return null;
}

/**
 * The names of tph's own temporary files in a cache folder: a program's run being written
 * (`.run.<pid>.<hex>.tmp`, and its `.ending.json`) and a run being stored
 * (`.run_<…>.json.<hex>.tmp`).
 */
const OWN_TEMP = /^\.run(?:\.\d+|_[^/]+\.json)\.[0-9a-f]{8}\.tmp(?:\.ending\.json)?$/;

/** How old a temporary file must be before it counts as left behind. */
const STALE_MS = 60 * 60 * 1000;

/**
 * Remove temporary files that a tph killed before it could finish left in the cache folder:
 * files (never folders or links) named as tph names them (OWN_TEMP), older than an hour. A run's file is written
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
    if (!OWN_TEMP.test(name)) continue;
    const path = join(cacheDir, name);
    try {
      if (isPlainFile(path) && now - stat(path).mtimeMs > STALE_MS) {
        remove(path);
        removed++;
      }
    } catch {
      // Gone already (another tph swept it): nothing to do.
    }
  }
  return removed;
}
