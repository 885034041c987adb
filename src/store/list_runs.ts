import { isExportName } from "./beside_run.ts";
import { lstatEntry, readDir } from "../platform/files.ts";
import { join } from "node:path";
import { displayPath } from "../platform/display_path.ts";
import { openRun, type RunMeta } from "../run_file/decode.ts";
import { StoreError } from "../run_file/store_error.ts";
import { RUN_EXTENSION } from "../run_file/format.ts";
import { Date, Error, isNaN } from "../platform/globals.ts";

/** A run in the cache, as `tph logs` lists it. */
export interface RunEntry {
  /** The file name without `run_` and `.json`: what `tph view <id>` takes. */
  id: string;
  /** The file. */
  path: string;
  /** The file's size in bytes. */
  size: number;
  /** The run's top-level fields (its calls are not read). */
  run: RunMeta;
}

/** A `.json` file in the cache that is not a usable run, and why. */
export interface SkippedRun {
  /** The file name without `run_` and `.json`, as for a run. */
  id: string;
  /** The file. */
  path: string;
  /** Why it is not used, e.g. `written by schema 7, this tph reads up to 1; upgrade tph`. */
  problem: string;
}

/** What {@linkcode listRuns} returns. */
export interface RunList {
  /** Newest first; `tph logs` numbers them from 1. */
  entries: RunEntry[];
  /** One line per `.json` file that is not a usable run: `Skipping "x.json": …`. */
  warnings: string[];
  /** The files the warnings are about, by name. */
  skipped: SkippedRun[];
}

/** Options of {@linkcode listRuns}. */
export interface ListRunsOptions {
  /** Messages show the cache folder relative to this folder when it is inside it. */
  cwd?: string;
}

/**
 * The id of a run file: its name without `run_` and `.json`.
 *
 * @param fileName A file name such as `run_20261122T081502_123_demo_3fa2c1.json`.
 * @returns The id, e.g. `20261122T081502_123_demo_3fa2c1`.
 *
 * @example
 * ```ts
 * import { runIdOf } from "./src/store/list_runs.ts";
 * console.log(runIdOf("run_20261122T081502_123_demo_3fa2c1.json"));
 * ```
 */
export function runIdOf(fileName: string): string {
  return fileName.replace(/^run_/, "").replace(/\.(?:json|tph)$/, "");
}

function time(run: RunMeta): number {
  const t = Date.parse(run.timestamp);
  return isNaN(t) ? -Infinity : t;
}

/** The time of the run a run is listed under: its program's (`parent`), else its own. */
function familyTime(run: RunMeta): number {
  const parent = run.parent?.timestamp;
  if (typeof parent !== "string") return time(run);
  const t = Date.parse(parent);
  return isNaN(t) ? time(run) : t;
}

/**
 * The runs in a cache folder, newest first. Files that are not usable runs (broken JSON, foreign
 * JSON, a newer schema) are skipped with a warning each, so one bad file never hides the others.
 *
 * @param cacheDir The cache folder; a folder that does not exist yet holds no runs.
 * @param options Folder that messages show paths relative to.
 * @returns The entries and the warnings.
 * @throws {StoreError} When the folder exists but cannot be listed.
 *
 * @example
 * ```ts
 * import { listRuns } from "./src/store/list_runs.ts";
 * const { entries, warnings } = listRuns(".tracepatch_cache");
 * for (const w of warnings) console.error(w);
 * for (const e of entries) console.log(e.id, e.run.call_count);
 * ```
 */
export function listRuns(cacheDir: string, options: ListRunsOptions = {}): RunList {
  const entries: RunEntry[] = [];
  const warnings: string[] = [];
  const skipped: SkippedRun[] = [];
  let names: string[];
  try {
    names = readDir(cacheDir);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return { entries, warnings, skipped };
    const why = code === "ENOTDIR" ? "not a folder" : (e as Error).message;
    throw new StoreError(`Cannot list runs in "${displayPath(cacheDir, options.cwd)}": ${why}`);
  }
  for (const name of names) {
    if (!(name.endsWith(".json") || name.endsWith(RUN_EXTENSION)) || name.startsWith(".")) continue;
    // tph setup's own file, kept beside the runs (as tracepatch keeps it).
    if (name === "setup_state.json") continue;
    // Exports written beside the runs (tph export without -o).
    if (isExportName(name)) continue;
    const path = join(cacheDir, name);
    // A link in the cache is not a run of tph's (it might point at any file).
    let problem: string;
    const st = lstatEntry(path);
    if (st === null || st.kind !== "file") problem = "not a regular file";
    else {
      // The meta alone: a run in tph's format is not read further. A run replaced as it was looked
      // at (a raw run made a run file by another command, renamed over it) is read again.
      const read = (size: number) => {
        const file = openRun(path, { size, metaFirst: true });
        file.close();
        entries.push({ id: runIdOf(name), path, size, run: file.meta });
      };
      try {
        read(st.size);
        continue;
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        problem = e.message.replace(/^Cannot read run "[^"]*": /, "");
      }
      const now = lstatEntry(path);
      if (now !== null && now.kind === "file" && now.size !== st.size) {
        try {
          read(now.size);
          continue;
        } catch (e) {
          if (!(e instanceof StoreError)) throw e;
        }
      }
    }
    skipped.push({ id: runIdOf(name), path, problem });
  }
  // The runs of the processes and workers a program started (`parent`) come right after its run,
  // in the order they started: each family sorts by its program's run's time.
  entries.sort((a, b) =>
    familyTime(b.run) - familyTime(a.run) ||
    (a.run.parent !== undefined ? 1 : 0) - (b.run.parent !== undefined ? 1 : 0) ||
    (a.run.parent !== undefined ? time(a.run) - time(b.run) : 0) ||
    (b.path < a.path ? -1 : 1)
  );
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const s of skipped) {
    warnings.push(`Skipping "${s.path.slice(s.path.lastIndexOf("/") + 1)}": ${s.problem}`);
  }
  return { entries, warnings, skipped };
}
