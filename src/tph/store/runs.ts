/**
 * The run cache in one import: `.tracepatch_cache/` holds one JSON file per run, named so that
 * names sort by time (see {@linkcode runFileName}); writes are atomic.
 *
 * @module
 */

export {
  CACHE_DIR_NAME,
  defaultCacheDir,
  ensureCacheDir,
  removeStaleTemps,
  sharedFolder,
  unsafeCacheDir,
} from "./cache_dir.ts";
export { findProjectRoot } from "./project_root.ts";
export {
  listRuns,
  type ListRunsOptions,
  type RunEntry,
  runIdOf,
  type RunList,
} from "./list_runs.ts";
export {
  pickOldRuns,
  type PrunableRun,
  type PruneLimits,
  type RemovedRuns,
  removeRuns,
} from "./prune_runs.ts";
export { loadRun, type LoadRunOptions, validateRun } from "./load_run.ts";
export { resolveRunRef, type ResolveRunRefOptions } from "./resolve_run_ref.ts";
export {
  copyRunFile,
  runFileName,
  saveRun,
  type SaveRunOptions,
  storeRunFile,
  writeRunFile,
} from "./save_run.ts";
export { StoreError } from "./store_error.ts";
