// Keeping the run cache in bounds: which runs to remove (a pure choice over what listRuns lists),
// and removing them. `tph clean` and the `max_runs` / `max_cache_mb` bounds `tph run` applies
// after each save share both.

import { fileProblem, lstatEntry, unlinkFile } from "../platform/files.ts";
import { exportsOf } from "./beside_run.ts";
import type { RunJSON } from "../types.ts";
import { Date, isNaN, Set } from "../platform/globals.ts";

/** What {@linkcode pickOldRuns} needs of a listed run (a {@linkcode RunEntry} has it). */
export interface PrunableRun {
  /** The run's file. */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** Its time (`timestamp`, ISO 8601). */
  run: Pick<RunJSON, "timestamp">;
}

/**
 * Bounds on the runs that remain. Each one given holds afterwards: a run is removed when it
 * breaks any of them (so `keep: 20` does what `max_runs = 20` does, and `keep: 0` removes all).
 */
export interface PruneLimits {
  /** At most this many runs remain: the newest. */
  keep?: number;
  /** No run remains whose time is more than this many ms before `now`. */
  olderThanMs?: number;
  /** The runs that remain take at most this many bytes together: the newest that fit. */
  maxBytes?: number;
  /** The current time, in ms since the epoch. */
  now: number;
  /**
   * Files never removed (the run just saved): they still count toward `keep` and `maxBytes`,
   * so the other runs make room around them.
   */
  protect?: readonly string[];
}

/** A run's time in ms, or null when its timestamp is not a date (its age is unknown). */
function timeOf(run: PrunableRun): number | null {
  const t = Date.parse(run.run.timestamp);
  return isNaN(t) ? null : t;
}

/**
 * The runs to remove so that every given bound holds, oldest first. Runs are taken from the
 * oldest: one is picked when there are still more than `keep` runs, or more than `maxBytes`
 * bytes, or it is older than `olderThanMs` (a run whose time is unknown is never "older than",
 * but as the oldest it is the first to go for the other bounds). Protected runs are never picked.
 * Pure: nothing is read or removed.
 *
 * @param runs The runs, newest first (as listRuns lists them).
 * @param limits The bounds, the current time, the runs never to remove.
 * @returns The runs to remove, oldest first.
 *
 * @example
 * ```ts
 * import { pickOldRuns } from "./src/store/prune_runs.ts";
 * const runs = [
 *   { path: "b.json", size: 10, run: { timestamp: "2026-11-22T00:00:00Z" } },
 *   { path: "a.json", size: 10, run: { timestamp: "2026-11-21T00:00:00Z" } },
 * ];
 * console.log(pickOldRuns(runs, { keep: 1, now: Date.now() }).map((r) => r.path)); // ["a.json"]
 * ```
 */
export function pickOldRuns<T extends PrunableRun>(
  runs: readonly T[],
  limits: PruneLimits,
): T[] {
  const { keep, olderThanMs, maxBytes, now } = limits;
  const protect = new Set(limits.protect ?? []);
  let count = runs.length;
  let bytes = 0;
  for (const r of runs) bytes += r.size;
  const picked: T[] = [];
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i];
    if (protect.has(r.path)) continue;
    const time = timeOf(r);
    const tooMany = keep !== undefined && count > keep;
    const tooBig = maxBytes !== undefined && bytes > maxBytes;
    const tooOld = olderThanMs !== undefined && time !== null && now - time > olderThanMs;
    if (!tooMany && !tooBig && !tooOld) continue;
    picked.push(r);
    count--;
    bytes -= r.size;
  }
  return picked;
}

/** What {@linkcode removeRuns} did. */
export interface RemovedRuns<T> {
  /** The runs removed (or found gone already), in the order given. */
  removed: T[];
  /** The runs that could not be removed, with why in a few words. */
  failed: { run: T; problem: string }[];
}

/**
 * Remove run files, each on its own: one that cannot be removed is reported and the others are
 * still removed. A path that is no longer a regular file (replaced by a folder or a link since
 * it was listed) is left alone and reported; one that is gone already counts as removed.
 *
 * @param runs The runs to remove (from {@linkcode pickOldRuns}).
 * @returns The runs removed and those that failed.
 *
 * @example
 * ```ts
 * import { listRuns } from "./src/store/list_runs.ts";
 * import { pickOldRuns, removeRuns } from "./src/store/prune_runs.ts";
 * const { entries } = listRuns(".tracepatch_cache");
 * const { removed } = removeRuns(pickOldRuns(entries, { keep: 20, now: Date.now() }));
 * console.log(`${removed.length} runs removed`);
 * ```
 */
export function removeRuns<T extends Pick<PrunableRun, "path">>(
  runs: readonly T[],
): RemovedRuns<T> {
  const removed: T[] = [];
  const failed: { run: T; problem: string }[] = [];
  for (const run of runs) {
    const st = lstatEntry(run.path);
    if (st !== null && st.kind !== "file") {
      failed.push({ run, problem: "no longer a regular file; left alone" });
      continue;
    }
    try {
      if (st !== null) unlinkFile(run.path);
      removed.push(run);
    } catch (e) {
      failed.push({ run, problem: fileProblem(e) });
      continue;
    }
    // Its exports beside it (tph export without -o) go with it.
    for (const path of exportsOf(run.path)) {
      try {
        if (lstatEntry(path)?.kind === "file") unlinkFile(path);
      } catch {
        // Left: it is not a run, and the run is gone.
      }
    }
  }
  return { removed, failed };
}
