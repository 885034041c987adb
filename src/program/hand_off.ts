// How tph knows the settings in a process's environment are its own. `tph run` hands the program's
// process its settings in a file (settings.ts's CHILD_ENV) and a followed process its settings
// inline (FOLLOW_ENV); a program may set variables of those names itself, made up or copied, in
// the environment of a process it starts. So each run has a folder of its own, made by the CLI
// (mkdtemp, 0700) and named `tph-run-…`, holding a random key (`key`, 0600) the CLI writes before
// it starts anything; the settings carry the key and name the folder. Settings are tph's only
// when that folder is a real folder of this user's that nobody else can enter, named so, and its
// key file a regular file of this user's, private, holding the key the settings carry. Anything
// else is not tph's: the process runs as it does plainly, untraced, its environment untouched,
// and nothing of a file it names is read, let alone quoted. The folder goes once the program's
// process ends.

import { currentUid, entryOwner, isPlainFile, readText } from "../platform/files.ts";
import { regexTest, strLastIndexOf, strSlice, strStartsWith } from "../platform/intrinsics.ts";
import { RegExp } from "../platform/globals.ts";
import { KEY_NAME, PLAN_NAME, RUN_FOLDER_PREFIX } from "./settings.ts";

/** What settings name their run by (ChildConfig.handOff): its folder, and its key. */
export interface HandOff {
  dir: string;
  key: string;
}

/** A run's key: 16 random bytes, as hex (the CLI's randomHex(16)). */
const KEY = new RegExp("^[0-9a-f]{32}$");

/**
 * Whether a path is private to this user, as it is (not a link): a folder, or a regular file;
 * owned by this user, with no permission for anyone else. Where there are no owners (Windows),
 * only what it is.
 */
function privateEntry(path: string, dir: boolean): boolean {
  if (!dir && !isPlainFile(path)) return false;
  const uid = currentUid();
  if (uid === null) return true;
  const owner = entryOwner(path);
  if (owner === null) return false;
  return !owner.link && owner.dir === dir && owner.uid === uid && (owner.mode & 0o077) === 0;
}

/**
 * The key of a run's folder, when it is one of tph's (see the top of this file); null when not.
 * Nothing is read from anything else.
 *
 * @param dir The folder, as the settings name it.
 */
export function runKey(dir: unknown): string | null {
  try {
    if (typeof dir !== "string" || dir[0] !== "/") return null;
    const name = strSlice(dir, strLastIndexOf(dir, "/") + 1);
    if (!strStartsWith(name, RUN_FOLDER_PREFIX)) return null;
    if (!privateEntry(dir, true)) return null;
    const file = `${dir}/${KEY_NAME}`;
    if (!privateEntry(file, false)) return null;
    const key = readText(file);
    return regexTest(KEY, key) ? key : null;
  } catch {
    // No permission to look (a Deno process without it), a race: not tph's.
    return null;
  }
}

/**
 * The run's settings file a process was handed (CHILD_ENV's value, or deno test's preload URL's),
 * with its run's folder and key, when it is tph's: `plan.json` in a run's folder (runKey), a
 * regular file of this user's that nobody else can read. Null for anything else (`/etc/passwd`, a
 * file the program wrote): nothing of it is read.
 *
 * @param value The path as given.
 */
export function verifiedPlanFile(value: unknown): { file: string; handOff: HandOff } | null {
  if (typeof value !== "string") return null;
  const cut = strLastIndexOf(value, "/");
  if (cut <= 0 || strSlice(value, cut + 1) !== PLAN_NAME) return null;
  const dir = strSlice(value, 0, cut);
  const key = runKey(dir);
  if (key === null) return null;
  try {
    // Empty, or not yet replaced by the settings: the CLI makes it private (early_start.ts).
    if (!privateEntry(value, false)) return null;
  } catch {
    return null;
  }
  return { file: value, handOff: { dir, key } };
}

/**
 * Whether settings handed to this process name their run as tph does (the key in its folder).
 *
 * @param handOff The settings' `handOff`, as parsed.
 * @param expected The run's, when known already (the settings file's folder).
 */
export function handOffHolds(handOff: unknown, expected: HandOff | null = null): boolean {
  if (handOff === null || typeof handOff !== "object") return false;
  const { dir, key } = handOff as Partial<HandOff>;
  if (typeof key !== "string" || !regexTest(KEY, key)) return false;
  if (expected !== null) return dir === expected.dir && key === expected.key;
  return runKey(dir) === key;
}
