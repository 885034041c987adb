// The run cache from the library: trace.logs() lists the stored runs and trace.load() reads one,
// with the refs the CLI takes (`last`, a number in the list, an id or its start, a path), from
// the cache folder the CLI would use here.

import { resolve } from "node:path";
import process from "../platform/node_process.ts";
import { loadConfig, type LoadedConfig } from "../config/load_config.ts";
import { defaultCacheDir } from "../store/cache_dir.ts";
import { listRuns } from "../store/list_runs.ts";
import { findProjectRoot } from "../store/project_root.ts";
import { resolveRunRef } from "../store/resolve_run_ref.ts";
import { openRun, setRawConverter } from "../run_file/decode.ts";
import { convertRawRun } from "./recorder/raw_run.ts";
import type { RunJSON } from "../types.ts";
import { blockSettings } from "./blocks.ts";

// Runs written raw at their program's end are made run files when first read (raw_run.ts).
setRawConverter(convertRawRun);

/** Where {@linkcode listStoredRuns} and {@linkcode loadStoredRun} look. */
export interface StoredRunsOptions {
  /** The cache folder (default: the one `tph logs` reads from the working folder). */
  cacheDir?: string;
  /** The folder relative paths are resolved against (default: the working folder). */
  cwd?: string;
}

/** A stored run as {@linkcode listStoredRuns} lists it: its top-level fields, id and file. */
export type StoredRun = Omit<RunJSON, "trace"> & {
  /** The id `tph tree <id>` and {@linkcode loadStoredRun} take. */
  id: string;
  /** The run's file. */
  path: string;
  /** Its size in bytes. */
  size: number;
};

/** The cache folder the CLI reads here: the config's cache_dir, else the project's default. */
function cacheDirOf(options: StoredRunsOptions): string {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.cacheDir !== undefined) return resolve(cwd, options.cacheDir);
  const stored = blockSettings()?.cacheDir;
  if (stored !== undefined && stored !== null) return stored;
  const loaded: LoadedConfig = loadConfig({ cwd });
  return loaded.config.cache_dir ?? defaultCacheDir(findProjectRoot(cwd)).dir;
}

/**
 * The stored runs, newest first (as `tph logs` numbers them from 1).
 *
 * @param options Where to look, and how many to list (default 50).
 * @returns The runs' top-level fields with their ids and files.
 * @throws {Error} When the cache folder exists but cannot be listed, or the config is invalid.
 */
export function listStoredRuns(options: StoredRunsOptions & { limit?: number } = {}): StoredRun[] {
  const { entries } = listRuns(cacheDirOf(options));
  return entries.slice(0, options.limit ?? 50).map((e) => ({
    ...e.run,
    id: e.id,
    path: e.path,
    size: e.size,
  }));
}

/**
 * A stored run, whole: its top-level fields and its call tree, as `tph export --format json`
 * writes it.
 *
 * @param ref `last`, a number as `tph logs` shows it, a run id or its first characters, or a
 *   run file's path.
 * @param options Where to look.
 * @returns The run.
 * @throws {Error} One line naming the ref: no such run, several runs start with it, a file that
 *   is not a run.
 */
export function loadStoredRun(ref: string, options: StoredRunsOptions = {}): RunJSON {
  const cwd = resolve(options.cwd ?? process.cwd());
  const path = resolveRunRef(ref, cacheDirOf(options), { cwd });
  const file = openRun(path, { cwd });
  try {
    return { ...file.meta, trace: file.tree().roots };
  } finally {
    file.close();
  }
}
