// How `tph lsp` follows the cache folder (ServerIo.watch): the folder is watched for new runs,
// and its parent for the folder coming, going or being replaced — a watch of a folder removed
// and made again hears nothing of the new one, so the folder is told by its identity (device and
// inode) and watched again whenever that changes. A slow look at that identity covers what the
// parent's watch misses (the parent itself removed and made again, or not watchable).

import { type FSWatcher, statSync, watch } from "node:fs";
import { dirname } from "node:path";

/** How often the folders' identities are looked at besides the watches, in ms. */
export const IDENTITY_POLL_MS = 2000;

/** A folder's identity (its device and inode), or null when there is no folder there. */
function identity(path: string): string | null {
  try {
    const st = statSync(path);
    return st.isDirectory() ? `${st.dev}:${st.ino}` : null;
  } catch {
    return null;
  }
}

/**
 * Call `changed` when something in `cacheDir` changes, or the folder comes, goes or is replaced;
 * returns a function that stops watching.
 */
export function watchCache(
  cacheDir: string,
  changed: () => void,
  pollMs = IDENTITY_POLL_MS,
): () => void {
  const parentDir = dirname(cacheDir);
  let cache: FSWatcher | null = null, cacheId: string | null = null;
  let parent: FSWatcher | null = null, parentId: string | null = null;
  let stopped = false;
  const open = (dir: string, then: () => void): FSWatcher | null => {
    try {
      const w = watch(dir, then);
      // A watched folder gone: its identity says so at the next look.
      w.on("error", () => {});
      return w;
    } catch {
      return null;
    }
  };
  /** Watch the folders again where they are not the ones watched; `changed` if the cache's is not. */
  const look = (initial = false) => {
    if (stopped) return;
    const parentNow = identity(parentDir);
    if (parentNow !== parentId) {
      parent?.close();
      parentId = parentNow;
      parent = parentNow === null ? null : open(parentDir, () => look());
    }
    const cacheNow = identity(cacheDir);
    if (cacheNow === cacheId) return;
    cache?.close();
    cacheId = cacheNow;
    cache = cacheNow === null ? null : open(cacheDir, changed);
    // Runs may have been stored in the new folder before its watch began.
    if (!initial) changed();
  };
  look(true);
  const timer = setInterval(() => look(), pollMs);
  return () => {
    stopped = true;
    clearInterval(timer);
    cache?.close();
    parent?.close();
  };
}
