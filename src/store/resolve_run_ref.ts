import { exists, isDirectory } from "../platform/files.ts";
import { basename, join, resolve } from "node:path";
import { cwd as processCwd } from "../platform/process.ts";
import { displayPath } from "../platform/display_path.ts";
import { listRuns, type RunEntry, runIdOf, type SkippedRun } from "./list_runs.ts";
import { StoreError } from "../run_file/store_error.ts";
import { RUN_EXTENSION } from "../run_file/format.ts";
import { Date, Number } from "../platform/globals.ts";

/** Options of {@linkcode resolveRunRef}. */
export interface ResolveRunRefOptions {
  /** Folder that file paths are relative to, and that messages show paths relative to. */
  cwd?: string;
  /**
   * Told one line (without `tph: warning: `) when a number names a run while the newest runs
   * cannot be read, naming them: `tph logs` numbers only the runs that can be read.
   */
  warn?: (message: string) => void;
}

// Up to five digits is a position in `tph logs`, and nothing else: past the end it is an error,
// never an id prefix (ids start with the date, e.g. 20261122, so `2` or `2026` would match every
// run). Longer digit strings are id prefixes.
const POSITION = /^[0-9]{1,5}$/;
/**
 * The fewest characters of a run id that name a run by its start or by its end after an `_`: the
 * random hex part `tph run` shows (`3fa2c1`), or the date (`202611`). A whole id may be shorter.
 */
export const MIN_ID_PART = 6;
/** The time a run file's name starts with, as runFileName writes it (UTC). */
const NAMED_TIME = /^run_([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})_([0-9]{3})/;

/** The time in a run file's name (`run_20261122T081502_123_…`), or NaN. */
function namedTime(path: string): number {
  const m = NAMED_TIME.exec(basename(path));
  if (m === null) return NaN;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** When a run was started, as `tph logs` sorts it: its program's run's time, else its own. */
function listedTime(run: RunEntry["run"]): number {
  const t = Date.parse(typeof run.parent?.timestamp === "string" ? run.parent.timestamp : "");
  return Number.isNaN(t) ? Date.parse(run.timestamp) : t;
}

/**
 * The runs of the cache that cannot be read and are newer than every run that can (by the time in
 * their names), newest first: what `last` would be, were they readable.
 */
function newestUnreadable(entries: RunEntry[], skipped: SkippedRun[]): SkippedRun[] {
  const newest = entries.length === 0 ? -Infinity : listedTime(entries[0].run);
  return skipped
    .map((s) => ({ s, t: namedTime(s.path) }))
    .filter(({ t }) => !Number.isNaN(t) && !(t <= newest))
    .sort((a, b) => b.t - a.t)
    .map(({ s }) => s);
}

function isFile(path: string): boolean {
  return exists(path) && !isDirectory(path);
}

/**
 * Resolve what a user typed for a run to a file path. A ref is one of:
 * - a path to a run file (it contains a `/` or ends in `.json`),
 * - `last`: the newest run; when it cannot be read (cut short, empty, of a newer tph), an error
 *   naming it, never an older run,
 * - `N` (up to 5 digits): the N-th run as `tph logs` numbers them (1 = the newest that can be
 *   read); past the end, an error, never an id prefix,
 * - a run id (`20261122T081502_123_demo_3fa2c1`), a unique prefix of one, or its end after an
 *   `_` (`3fa2c1`, the hex part `tph run` shows; `demo_3fa2c1`): a prefix or an end of at least
 *   {@linkcode MIN_ID_PART} characters.
 *
 * @param ref What the user typed.
 * @param cacheDir The cache folder.
 * @param options Folder that paths are relative to, and where a warning goes.
 * @returns The run file's path.
 * @throws {StoreError} One line naming the ref: no such run, an ambiguous prefix (with the count),
 * a position past the end, a ref too short to be an id's part, a newest run that cannot be read,
 * or a missing file.
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
  // The newest runs, when they cannot be read (a run cut short, an empty file, a newer tph's): not
  // passed over for an older run (another program's, maybe) without a word.
  const unreadable = newestUnreadable(entries, skipped);
  const readable = entries.length === 0
    ? ""
    : `give 1 for the newest run that can be read (${entries[0].id})`;
  if (ref === "last") {
    if (unreadable.length > 0) {
      const s = unreadable[0];
      const fix = s.problem.endsWith("upgrade tph") ? "" : "; remove it";
      const or = readable === "" ? "" : `${fix === "" ? ", " : ", or "}${readable}`;
      throw fail(
        `the newest run, ${displayPath(s.path, cwd)}, cannot be read: ${s.problem}${fix}${or}`,
      );
    }
    if (entries.length === 0) throw fail(`no runs in ${where} yet`);
    return entries[0].path;
  }
  if (POSITION.test(ref)) {
    const position = Number(ref);
    if (position < 1 || position > entries.length) {
      const from = position < 1 ? ", numbered from 1" : "";
      throw fail(`no run number ${position} in ${where} (it holds ${count}${from})`);
    }
    if (unreadable.length > 0) {
      const s = unreadable[0];
      options.warn?.(
        `runs are numbered as tph logs lists them, from the newest that can be read: ` +
          `the newest run, ${displayPath(s.path, cwd)}, cannot be read: ${s.problem}`,
      );
    }
    return entries[position - 1].path;
  }
  const id = runIdOf(ref);
  const exact = entries.find((e) => e.id === id);
  if (exact !== undefined) return exact.path;
  // A part of an id must be long enough to be one: `202` or `a1` would name a run by chance.
  const short = id.length < MIN_ID_PART;
  const partOf = (runId: string) => !short && (runId.startsWith(id) || runId.endsWith(`_${id}`));
  const matches = entries.filter((e) => partOf(e.id));
  if (matches.length === 1) return matches[0].path;
  if (matches.length > 1) {
    const how = matches.every((e) => e.id.startsWith(id)) ? "start" : "start or end";
    throw fail(`${matches.length} runs in ${where} ${how} with it; type more of the id`);
  }
  // A file that is there but cannot be read (a newer schema: upgrade tph) says why, not "no such
  // run"; so does the only one whose id starts or ends with the ref.
  const unusableParts = skipped.filter((s) => partOf(s.id));
  const unusable = skipped.find((s) => s.id === id) ??
    (unusableParts.length === 1 ? unusableParts[0] : undefined);
  if (unusable !== undefined) throw fail(unusable.problem);
  if (short && !(ref.endsWith(".json") || ref.endsWith(RUN_EXTENSION))) {
    throw fail(
      `no such run in ${where} (give a run's number in tph logs, or at least ${MIN_ID_PART} ` +
        `characters of its id)`,
    );
  }
  if (ref.endsWith(".json") || ref.endsWith(RUN_EXTENSION)) {
    throw fail(`file not found here or in ${where}`);
  }
  throw fail(`no such run in ${where}${entries.length === 0 ? " (it holds no runs)" : ""}`);
}
