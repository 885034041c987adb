/**
 * The run cache in one import: `.tracepatch_cache/` holds one file per run, in tph's run format
 * (`run_….tph`, see src/run_file/format.ts) or JSON (`run_….json`: older runs and
 * saved `trace()` blocks), named so that names sort by time (see {@linkcode runFileName}); writes
 * are atomic. {@linkcode openRun} reads either (the run file's decoder, src/run_file/decode.ts).
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
export { loadRun, type LoadRunOptions, validateRun } from "../run_file/json_run.ts";
export { resolveRunRef, type ResolveRunRefOptions } from "./resolve_run_ref.ts";
export { isRunFormat } from "../run_file/run_kind.ts";
export {
  addRunInfo,
  exportRunFile,
  openRun,
  type OpenRunOptions,
  type RunFile,
  type RunMeta,
  type RunTree,
} from "../run_file/decode.ts";
export {
  copyRunFile,
  runFileName,
  saveRun,
  type SaveRunOptions,
  storeRunFile,
  writeRunFile,
} from "./save_run.ts";
export { StoreError } from "../run_file/store_error.ts";
