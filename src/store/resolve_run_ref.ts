import { exists, isDirectory } from "../platform/files.ts";
import { join, resolve } from "node:path";
import { cwd as processCwd } from "../platform/process.ts";
import { displayPath } from "../platform/display_path.ts";
import { listRuns, runIdOf } from "./list_runs.ts";
import { StoreError } from "../run_file/store_error.ts";
import { RUN_EXTENSION } from "../run_file/format.ts";
import { Number } from "../platform/globals.ts";

/** Options of {@linkcode resolveRunRef}. */
export interface ResolveRunRefOptions {
  /** Folder that file paths are relative to, and that messages show paths relative to. */
  cwd?: string;
}

// Up to five digits is a position in `tph logs`; longer digit strings are id prefixes (ids start
// with the date, e.g. 20261122).
const POSITION = /^[0-9]{1,5}$/;

function isFile(path: string): boolean {
  return exists(path) && !isDirectory(path);
}

/**
 * Resolve what a user typed for a run to a file path. A ref is one of:
 * - a path to a run file (it contains a `/` or ends in `.json`),
 * - `last`: the newest run,
 * - `N`: the N-th run as `tph logs` numbers them (1 = newest),
 * - a run id (`20261122T081502_123_demo_3fa2c1`), a unique prefix of one, or its end after an
 *   `_` (`3fa2c1`, the hex part `tph run` shows; `demo_3fa2c1`).
 *
 * @param ref What the user typed.
 * @param cacheDir The cache folder.
 * @param options Folder that paths are relative to.
 * @returns The run file's path.
 * @throws {StoreError} One line naming the ref: no such run, an ambiguous prefix (with the count),
 * a position past the end, or a missing file.
 *
 * @example
 * ```ts
 * import { resolveRunRef } from "./src/store/resolve_run_ref.ts";
 * console.log(resolveRunRef("last", ".tracepatch_cache"));
 * ```
 */
export function resolveRunRef(
  ref: string,
  cacheDir: string,
  options: ResolveRunRefOptions = {},
): string {
  const cwd = options.cwd ?? processCwd();
  const where = displayPath(resolve(cwd, cacheDir), cwd);
  const fail = (why: string) => new StoreError(`Cannot read run "${ref}": ${why}`);
  if (ref.trim() === "") throw fail("an empty run reference");
  const pathLike = ref.includes("/") || ref.includes("\\");
  // A run file's name (`copy.tph`, `run.json`) is a path when it exists here.
  if (pathLike || ref.endsWith(".json") || ref.endsWith(RUN_EXTENSION)) {
    const path = resolve(cwd, ref);
    if (isFile(path)) return path;
    if (pathLike) throw fail(exists(path) ? "it is a folder" : "file not found");
    // A bare file name as `tph logs` shows it: look in the cache.
    const cached = join(resolve(cwd, cacheDir), ref);
    if (isFile(cached)) return cached;
  }
  const { entries, skipped } = listRuns(resolve(cwd, cacheDir), { cwd });
  const count = `${entries.length} run${entries.length === 1 ? "" : "s"}`;
  if (ref === "last") {
    if (entries.length === 0) throw fail(`no runs in ${where} yet`);
    return entries[0].path;
  }
  const position = POSITION.test(ref) ? Number(ref) : NaN;
  if (position >= 1 && position <= entries.length) return entries[position - 1].path;
  const id = runIdOf(ref);
  const exact = entries.find((e) => e.id === id);
  if (exact !== undefined) return exact.path;
  const matches = entries.filter((e) => e.id.startsWith(id) || e.id.endsWith(`_${id}`));
  if (matches.length === 1) return matches[0].path;
  if (matches.length > 1) {
    const how = matches.every((e) => e.id.startsWith(id)) ? "start" : "start or end";
    throw fail(`${matches.length} runs in ${where} ${how} with it; type more of the id`);
  }
  if (!Number.isNaN(position)) {
    throw fail(`no run number ${position} in ${where} (it holds ${count})`);
  }
  // A file that is there but cannot be read (a newer schema: upgrade tph) says why, not "no such
  // run"; so does the only one whose id starts with the ref.
  const unusable = skipped.find((s) => s.id === id) ??
    (skipped.filter((s) => s.id.startsWith(id)).length === 1
      ? skipped.find((s) => s.id.startsWith(id))
      : undefined);
  if (unusable !== undefined) throw fail(unusable.problem);
  if (ref.endsWith(".json") || ref.endsWith(RUN_EXTENSION)) {
    throw fail(`file not found here or in ${where}`);
  }
  throw fail(`no such run in ${where}${entries.length === 0 ? " (it holds no runs)" : ""}`);
}
