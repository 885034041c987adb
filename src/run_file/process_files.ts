// The files a traced process leaves beside its run: `tph run` names a run file `<out>` in the
// cache folder (a dot name, which no listing takes for a run), the program's process writes the
// run there and, beside it, how it ended, when its parts ran, why the run could not be written,
// and (`tph test`) the runs its tests stored; the CLI reads them back and removes them. Named
// here once, for both sides (src/program/child.ts writes them, src/cli/launch/run_program.ts
// reads them, src/store/cache_dir.ts sweeps those a killed tph left). Code of the program's
// process calls writeLeft and leftFile: built-ins come from platform/ only.

import { readText, remove, unlinkFile, writeText } from "../platform/files.ts";
import { JSON, Object, RegExp } from "../platform/globals.ts";

/** What a traced process leaves beside its run file `<out>`, by the ending of each file's name. */
export const LEFT_BESIDE = {
  /** How the program ended (JSON: ChildEnding, src/program/settings.ts), before the run. */
  ending: ".ending.json",
  /** When the process and the program began and ended (JSON: ChildPhases), when asked for. */
  phases: ".phases.json",
  /** Why the run could not be written (a line; a full disk, say). */
  error: ".error",
  /**
   * Why the program could not be traced at all (a line: the binary's parser cannot be loaded):
   * the CLI says it alone and stores no run.
   */
  fatal: ".fatal",
  /** `tph test`: a line per test run stored (its path), or `!problem` for one that was not. */
  tests: ".tests",
  /**
   * The processes and workers the program started that were followed (src/program/follow.ts): a
   * JSON line each as it starts (ChildStarted), so that they are known even if the program dies.
   */
  children: ".children",
  /**
   * The processes and workers a server's request handlers started (follow.ts,
   * linkRequestChildren): a JSON line each (RequestChildLine) as its request's run is stored.
   */
  request_children: ".request-children",
} as const;

/** A followed process or worker, as its parent lists it in the `.children` file. */
export interface ChildStarted {
  /** Its run file's name, in the parent's run's folder. */
  out: string;
  kind: "process" | "worker";
  /** Its process id (a worker: its parent's), null when not known. */
  pid: number | null;
  /** A worker's thread id. */
  thread?: number;
  /** When it started (epoch ms). */
  start: number;
}

/** A child started in a request, as `.request-children` lists it with its request's run. */
export interface RequestChildLine extends ChildStarted {
  /** The file name of the request's run, in the run cache. */
  run: string;
  /** Its place in that run's `children`. */
  index: number;
  /** The call that started it, as numbered in that run (null: not in it). */
  call: number | null;
}

/** A kind of file left beside a run (see LEFT_BESIDE). */
export type LeftBeside = keyof typeof LEFT_BESIDE;

/**
 * The name of the run file a traced process writes, in the folder the run is stored in: a dot
 * name ending in `.tmp` (`.run.<pid>.<8 hex>.tmp`), which listing runs never takes for a run, even
 * if tph dies before it stores it.
 *
 * @param pid The id of tph's process.
 * @param hex 8 random hex digits.
 */
export function processRunName(pid: number, hex: string): string {
  return `.run.${pid}.${hex}.tmp`;
}

/** A traced process's run file (processRunName) and the files beside it (LEFT_BESIDE). */
const PROCESS_TEMP = new RegExp(
  `^\\.run\\.\\d+\\.[0-9a-f]{8}\\.tmp(?:${
    Object.values(LEFT_BESIDE).map((end) => end.replaceAll(".", "\\.")).join("|")
  })?$`,
);

/**
 * Whether a file name in the cache folder is a traced process's run file, or its ending (the
 * files a tph killed before it stored the run leaves).
 */
export function isProcessTemp(name: string): boolean {
  return PROCESS_TEMP.test(name);
}

/** The file of kind `kind` beside the run file `out`. */
export function leftFile(out: string, kind: LeftBeside): string {
  return out + LEFT_BESIDE[kind];
}

/** Write the file of kind `kind` beside the run file `out` (the program's process). */
export function writeLeft(out: string, kind: LeftBeside, text: string): void {
  writeText(leftFile(out, kind), text);
}

/**
 * The text of the file of kind `kind` beside the run file `out`, which is removed; null when it
 * cannot be read (the process did not write it).
 */
export function takeLeft(out: string, kind: LeftBeside): string | null {
  const path = leftFile(out, kind);
  let text: string | null = null;
  try {
    text = readText(path);
  } catch {
    // Not written.
  }
  remove(path);
  return text;
}

/**
 * The JSON of the file of kind `kind` beside the run file `out`, which is removed; undefined when
 * it cannot be read or is not JSON (the process ended before it wrote it whole).
 */
export function takeLeftJSON(out: string, kind: LeftBeside): unknown {
  const text = takeLeft(out, kind);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Remove every file left beside the run file `out`, then `out` itself: each unlinked, never
 * followed (a link at most), and nothing when it cannot be (its folder is not one any more).
 */
export function removeLeft(out: string): void {
  for (const name of [...Object.values(LEFT_BESIDE), ""]) {
    try {
      unlinkFile(out + name);
    } catch {
      // Not a folder any more: nothing to remove.
    }
  }
}
