import { basename, dirname, join, resolve } from "node:path";
import { shortHash } from "../platform/hash.ts";
import {
  currentUid,
  entryOwner,
  exists,
  isPlainFile,
  makeDir,
  ownerAndMode,
  readDir,
  readLink,
  realPath,
  remove,
  stat,
  userCacheDir,
  writeText,
} from "../platform/files.ts";
import { Date, Set } from "../platform/globals.ts";
import { isProcessTemp } from "../run_file/process_files.ts";

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

function trimSlashes(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/**
 * Why a folder cannot be a run cache (tph writes runs there and removes its own temporary files
 * from it), or null when it can: the file system's root or a system folder, the home folder, or
 * the project root itself; and, when it exists, a folder every user can write or another user's
 * (others could read the list of runs, remove them or put files there).
 *
 * @param cacheDir The folder, absolute.
 * @param root The project root.
 * @param home The home folder, if known.
 */
export function unsafeCacheDir(cacheDir: string, root: string, home?: string): string | null {
  const dir = trimSlashes(cacheDir);
  if (SYSTEM_DIRS.has(dir) || /^\/usr\//.test(dir)) return "a system folder";
  if (home !== undefined && dir === home.replace(/\/+$/, "")) return "the home folder";
  if (dir === root.replace(/\/+$/, "")) return "the project root itself";
  const st = ownerAndMode(dir);
  if (st !== null && st.mode !== null && (st.mode & 0o002) !== 0) {
    return "a folder every user can write";
  }
  const uid = currentUid();
  if (st !== null && st.uid !== null && uid !== null && st.uid !== uid) {
    return `another user's folder (uid ${st.uid})`;
  }
  return null;
}

/**
 * Why tph does not put a run cache of its own choosing in a folder (the project root, which for
 * a script with no deno.json, package.json or .git above it is the script's folder), or null
 * when it does: a system folder, or a folder every user can write (`/tmp`, sticky or not).
 *
 * @param dir The folder, absolute.
 */
export function sharedFolder(dir: string): string | null {
  const d = trimSlashes(dir);
  // Said first: it is the reason that matters (/tmp is both).
  const st = ownerAndMode(d);
  if (st !== null && st.mode !== null && (st.mode & 0o002) !== 0) {
    return "a folder every user can write";
  }
  if (SYSTEM_DIRS.has(d) || /^\/usr\//.test(d)) return "a system folder";
  return null;
}

/**
 * A path with links resolved as far as it exists (the rest as written); a link that leads nowhere
 * is followed by what it says, since making a folder there would make its target.
 */
function realAsFarAsItExists(path: string, hops = 0): string {
  const rest: string[] = [];
  for (let p = trimSlashes(path);; p = dirname(p)) {
    try {
      return join(realPath(p), ...rest);
    } catch {
      if (dirname(p) === p) return path;
      if (entryOwner(p)?.link && hops < 40) {
        return realAsFarAsItExists(join(resolve(dirname(p), readLink(p)), ...rest), hops + 1);
      }
      rest.unshift(basename(p));
    }
  }
}

/**
 * Whether tph may make a cache folder that a config file names: only inside one of `places` (the
 * project, the user's cache folder), links resolved, so that a config cannot make tph create
 * folders elsewhere (`cache_dir = "../../../../etc/tphx"`, run as root). An existing folder is
 * not this rule's to judge (see unsafeCacheDir).
 *
 * @param dir The folder, absolute.
 * @param places The folders it may be made in; `/` is never one.
 * @returns Whether it is inside one of them.
 */
export function insideAny(dir: string, places: string[]): boolean {
  const real = realAsFarAsItExists(dir);
  return places.some((place) => {
    const p = realAsFarAsItExists(place);
    return p !== "/" && (real === p || real.startsWith(p + "/"));
  });
}

/** Where runs of a project root go, when neither `--cache-dir` nor `cache_dir` says. */
export interface DefaultCacheDir {
  /** The cache folder. */
  dir: string;
  /** Why it is not `.tracepatch_cache` at the root (see sharedFolder), or null when it is. */
  moved: string | null;
}

/**
 * The run cache tph picks for a project root: `.tracepatch_cache` there, unless the root is a
 * shared folder (see sharedFolder); then `runs/<name>-<hash of the root's path>` in the user's
 * cache folder (`$XDG_CACHE_HOME/tph`, else `~/.cache/tph`), so that every command run from the
 * same folder finds the same runs.
 *
 * @param root The project root.
 * @throws {Error} When the root is shared and the user's cache folder cannot be used.
 *
 * @example
 * ```ts
 * import { defaultCacheDir } from "./src/store/cache_dir.ts";
 * console.log(defaultCacheDir("/tmp").dir); // ~/.cache/tph/runs/tmp-…
 * ```
 */
export function defaultCacheDir(root: string): DefaultCacheDir {
  const moved = sharedFolder(root);
  if (moved === null) return { dir: join(root, CACHE_DIR_NAME), moved };
  const name = basename(trimSlashes(root)).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "root";
  return { dir: join(userCacheDir(), "runs", `${name}-${pathHash(trimSlashes(root))}`), moved };
}

/** 16 hex digits naming the runs folder of a project root (see shortHash). */
const pathHash = shortHash;

/**
 * The names of tph's own temporary files in a cache folder: a program's run being written, and its
 * ending (run_file/process_files.ts, isProcessTemp), and a run being stored
 * (`.run_<…>.json.<hex>.tmp`) or made a run file from a raw run (`.run_<…>.tph.<hex>.tmp`:
 * run_file/decode.ts, convertRaw; the process that made it killed then).
 */
const STORE_TEMP = /^\.run_[^/]+\.(?:json|tph)\.[0-9a-f]{8}\.tmp(?:\.ending\.json)?$/;
const isOwnTemp = (name: string) => isProcessTemp(name) || STORE_TEMP.test(name);

/** How old a temporary file must be before it counts as left behind. */
const STALE_MS = 60 * 60 * 1000;

/**
 * Remove temporary files that a tph killed before it could finish left in the cache folder:
 * files (never folders or links) named as tph names them (isOwnTemp), older than an hour. A run's file is written
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
    if (!isOwnTemp(name)) continue;
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
