// The transform cache's place and its bound. Entries are `<key[0..2]>/<key>.js` (key: 64 hex
// digits, see transform.ts) and `manifests/<16 hex>.json` (manifest.ts); each run adds the files
// it instruments anew, so the folder is pruned, least recently used first, to at most
// MAX_ENTRIES files and MAX_BYTES bytes. `tph run` prunes at most once a day (a stamp file in the
// folder says when it last did), while the program runs in its own process: nothing here is on the
// program's path. Loaded by the CLI, so it imports no node: module and not the instrumenter.

import {
  lstatEntry,
  privateDirProblem,
  readDir,
  stat,
  unlinkFile,
  userCachePath,
  writeText,
} from "../platform/files.ts";

/** Most entries kept (instrumented files and manifests). */
export const MAX_ENTRIES = 5_000;
/** Most bytes kept, in all entries together: 200 MB. */
export const MAX_BYTES = 200 * 1024 * 1024;
/** Least time between two prunes of a folder by `tph run`: a day. */
export const PRUNE_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** A temporary file (of a run killed while it wrote an entry) is removed once this old. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** The file whose modification time says when the folder was last pruned. */
export const PRUNE_STAMP = ".pruned";

const SHARD = /^[0-9a-f]{2}$/;
const ENTRY = /^[0-9a-f]{64}\.js$/;
// Written beside the file, then renamed (tempBeside in platform/files.ts).
const ENTRY_TEMP = /^\.[0-9a-f]{64}\.js\.[0-9a-f]{8}\.tmp$/;
const MANIFEST = /^[0-9a-f]{16}\.json$/;
const MANIFEST_TEMP = /^\.[0-9a-f]{16}\.json\.[0-9a-f]{8}\.tmp$/;

/**
 * The transform cache folder of this environment, without making or checking it:
 * `$TPH_TRANSFORM_CACHE`, else `transforms` in the user's cache folder (`~/.cache/tph`).
 *
 * @param env The environment.
 * @returns The folder; null when there is no home folder to put it in.
 */
export function transformCachePath(env: Record<string, string | undefined>): string | null {
  if (env.TPH_TRANSFORM_CACHE) return env.TPH_TRANSFORM_CACHE;
  try {
    return `${userCachePath()}/transforms`;
  } catch {
    return null;
  }
}

/** Bounds of {@linkcode pruneTransformCache}. */
export interface PruneOptions {
  /** Most entries kept (default {@linkcode MAX_ENTRIES}). */
  maxEntries?: number;
  /** Most bytes kept (default {@linkcode MAX_BYTES}). */
  maxBytes?: number;
  /** The time now, in ms (default: the clock's). */
  now?: number;
}

/** What {@linkcode pruneTransformCache} did. */
export interface PruneResult {
  /** Entries removed (stale temporary files not counted). */
  removed: number;
  /** Entries kept, and their bytes. */
  kept: number;
  bytes: number;
}

interface Found {
  path: string;
  size: number;
  usedMs: number;
}

/**
 * Remove the least recently used entries of a transform cache folder until it is within bounds,
 * and temporary files an hour old. Only regular files named as tph names its entries, in the
 * folder's own shard folders and `manifests` (real folders, not links) are ever removed; links
 * are never followed. Errors (a file gone meanwhile) are skipped.
 *
 * @param dir The transform cache folder.
 * @param options The bounds.
 * @returns What was removed and kept.
 */
export function pruneTransformCache(dir: string, options: PruneOptions = {}): PruneResult {
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const now = options.now ?? Date.now();
  const found: Found[] = [];
  const look = (sub: string, entry: (name: string) => boolean, temp: RegExp) => {
    const folder = `${dir}/${sub}`;
    if (lstatEntry(folder)?.kind !== "dir") return;
    let names: string[];
    try {
      names = readDir(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const isEntry = entry(name);
      if (!isEntry && !temp.test(name)) continue;
      const path = `${folder}/${name}`;
      const st = lstatEntry(path);
      if (st === null || st.kind !== "file") continue;
      if (isEntry) found.push({ path, size: st.size, usedMs: st.usedMs });
      else if (now - st.usedMs > STALE_TEMP_MS) tryUnlink(path);
    }
  };
  let names: string[];
  try {
    names = readDir(dir);
  } catch {
    return { removed: 0, kept: 0, bytes: 0 };
  }
  for (const shard of names) {
    if (SHARD.test(shard)) look(shard, (n) => ENTRY.test(n) && n.startsWith(shard), ENTRY_TEMP);
  }
  look("manifests", (n) => MANIFEST.test(n), MANIFEST_TEMP);
  let bytes = found.reduce((sum, f) => sum + f.size, 0);
  let kept = found.length;
  let removed = 0;
  if (kept <= maxEntries && bytes <= maxBytes) return { removed, kept, bytes };
  // Least recently used first; the older path first among equals, for a stable order.
  found.sort((a, b) => a.usedMs - b.usedMs || (a.path < b.path ? -1 : 1));
  for (const f of found) {
    if (kept <= maxEntries && bytes <= maxBytes) break;
    if (!tryUnlink(f.path)) continue;
    kept--;
    bytes -= f.size;
    removed++;
  }
  return { removed, kept, bytes };
}

function tryUnlink(path: string): boolean {
  try {
    unlinkFile(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Prune this environment's transform cache ({@linkcode pruneTransformCache}) when it was last
 * pruned a day ago or more, or never. Costs one stat otherwise. Never throws, never warns: a
 * folder that is not the user's own (see transform.ts) is left alone. Bounds come from
 * `TPH_TRANSFORM_CACHE_MAX_ENTRIES` and `TPH_TRANSFORM_CACHE_MAX_BYTES` when set (whole numbers).
 *
 * @param env The environment.
 * @param now The time now, in ms.
 * @returns What was done, or null when nothing was to do.
 */
export function pruneTransformCacheDaily(
  env: Record<string, string | undefined>,
  now = Date.now(),
): PruneResult | null {
  try {
    const dir = transformCachePath(env);
    if (dir === null) return null;
    const stamp = `${dir}/${PRUNE_STAMP}`;
    try {
      if (now - stat(stamp).mtimeMs < PRUNE_INTERVAL_MS) return null;
    } catch {
      // Never pruned (or no cache yet).
    }
    if (lstatEntry(dir)?.kind !== "dir" || privateDirProblem(dir) !== null) return null;
    // Stamped first: two runs starting together do not both prune.
    writeText(stamp, "", { mode: 0o600 });
    return pruneTransformCache(dir, {
      maxEntries: bound(env.TPH_TRANSFORM_CACHE_MAX_ENTRIES) ?? MAX_ENTRIES,
      maxBytes: bound(env.TPH_TRANSFORM_CACHE_MAX_BYTES) ?? MAX_BYTES,
      now,
    });
  } catch {
    return null;
  }
}

function bound(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
