// What a trace() block does beyond recording, once `tph run` or the register entry (register.ts)
// has read the project's config: the config's limits under the block's own options, its label,
// the switch that makes every block a no-op, and storing each finished block in the run cache as
// a run of its own (auto_save), which `tph logs` lists and every command reads.

import { join } from "node:path";
import process from "../platform/node_process.ts";
import { appendText, fileProblem, randomHex, remove } from "../platform/files.ts";
import { ownArray, round } from "../platform/intrinsics.ts";
import { formatError } from "./recorder/repr.ts";
import { scrubCommand } from "./recorder/redact.ts";
import { runtime } from "./recorder/recorder.ts";
import { traceConfig } from "./recorder/to_json.ts";
import { writeTraceRun } from "./recorder/run_writer.ts";
import type { TraceState } from "./recorder/trace_state.ts";
import type { TraceLimits } from "../run_file/limits.ts";
import type { RunInfo, TestInfo } from "../types.ts";
import { ensureCacheDir } from "../store/cache_dir.ts";
import { storeRunFile } from "../store/save_run.ts";
import { RUN_EXTENSION } from "../run_file/format.ts";
import { Date, Promise } from "../platform/globals.ts";

/** What blocks do in this process: set by `tph run`'s preload or the register entry. */
export interface BlockSettings {
  /** Who set them: `tph run`, or the register entry. */
  how: "run" | "register";
  /** The config's limits and filters; a block's own options win over them. */
  limits: TraceLimits;
  /** The config's default_label, for blocks without one. */
  label: string | null;
  /** Where finished blocks are stored; null: they are not (auto_save or cache off). */
  cacheDir: string | null;
  /** How many runs and megabytes the cache keeps (max_runs, max_cache_mb); null: no bound. */
  keep: { maxRuns: number | null; maxCacheMb: number | null };
  /** The globs that chose the traced files, stored with each run as `tph run` stores them. */
  files: { include: string[]; exclude: string[] };
  /** Every block is a no-op (`enabled = false` in the config). */
  disabled: boolean;
  /** The program's command line and working folder, for the stored runs. */
  command: string[];
  cwd: string;
  /** The runtime and its version. */
  runtime: { name: string; version: string };
  /** How many files the loader has instrumented so far. */
  instrumented: () => number;
  /**
   * `tph test`: the file each test's stored run is listed in, a path a line, or `!` and why it
   * could not be stored (the runner may run tests in several processes: each appends).
   */
  testList: string | null;
  /**
   * Called when the first block that stores itself opens: watch the process's end, to store the
   * blocks still open then (the register entry; `tph run`'s preload does it as it saves the run).
   */
  watchEnd?: () => void;
}

let settings: BlockSettings | null = null;
/** Where this process's stored blocks went, in order (tph run --blocks reports them). */
const stored: string[] = ownArray([]);
let toldSaveProblem = false;
/** Blocks to store when the process ends (saveBlock's `retry`). */
const later: { t: TraceState; end: BlockEnd }[] = ownArray([]);

/** Set what blocks do in this process (once, before the program runs). */
export function configureBlocks(s: BlockSettings): void {
  // The command as the blocks' runs keep it (before the program runs: its built-ins are intact).
  settings = { ...s, command: scrubCommand(s.command, s.limits) };
}

/** A block that stores itself opened: the process's end is watched from now on (watchEnd). */
export function blockOpened(): void {
  const watch = settings?.watchEnd;
  if (watch === undefined) return;
  settings = { ...settings!, watchEnd: undefined };
  watch();
}

/** What blocks do here; null when neither `tph run` nor the register entry set it. */
export function blockSettings(): BlockSettings | null {
  return settings;
}

/** The runs stored from blocks so far. */
export function storedBlocks(): readonly string[] {
  return stored;
}

/** How a finished block ended, for its stored run. */
export interface BlockEnd {
  label: string | null;
  /** What the block's callback threw (trace.run), when it did. */
  error?: unknown;
  threw: boolean;
  /** The test the block ran (`tph test`), its outcome included. */
  test?: TestInfo;
  /** The process ended while the block was open: how (its open calls are unfinished). */
  processEnd?: ProcessEnd;
}

/** How the process ended, for a block still open then. */
export interface ProcessEnd {
  ended: "completed" | "exit" | "exception" | "rejection" | "signal" | "terminated";
  code: number | null;
  signal: string | null;
  error?: string;
}

/**
 * Store a finished block in the run cache, when auto_save is on: written under a dot name in the
 * cache folder (never listed), then linked under a run's name. A block that cannot be stored (a
 * full or read-only disk) says so once on stderr: the program goes on as if nothing happened.
 *
 * @param retry Store it when the process ends instead when it cannot be stored now, with no
 *   warning yet: a test's block (`tph test`) ends while the test's own permissions hold on Deno
 *   (`Deno.test({ permissions })`), which may not let tph write.
 * @returns The stored run's path, or null.
 */
export function saveBlock(t: TraceState, end: BlockEnd, retry = false): string | null {
  const s = settings;
  if (s === null || s.cacheDir === null) return null;
  const dir = s.cacheDir;
  const rt = runtime();
  const tmp = join(dir, `.block-${randomHex(6)}.tmp`);
  // Saving goes through built-ins captured before the program ran; should any of the program's
  // code run meanwhile (a getter of a recorded value), it is not recorded.
  rt.hush(true);
  try {
    ensureCacheDir(dir);
    const info: RunInfo = {
      command: s.command,
      cwd: s.cwd,
      runtime: s.runtime.name,
      runtime_version: s.runtime.version,
      ...(end.processEnd !== undefined
        ? {
          ended: end.processEnd.ended,
          exit_code: end.processEnd.code,
          signal: end.processEnd.signal,
          // Told as the process ended, before any block's redaction: its known secrets go here.
          ...(end.processEnd.error !== undefined
            ? {
              error: t.redaction === null
                ? end.processEnd.error
                : t.redaction.scrubWhole(end.processEnd.error),
            }
            : {}),
        }
        : {
          ended: end.threw ? "exception" : "completed",
          exit_code: null,
          signal: null,
          ...(end.threw ? { error: formatError(end.error, undefined, t.redaction) } : {}),
        }),
      duration_ms: round((t.endTime - t.startTime) * 1000) / 1000,
      block: true,
      ...(end.test !== undefined ? { test: end.test } : {}),
    };
    writeTraceRun(t, end.label, tmp, { config: { ...traceConfig(t), ...s.files }, run: info });
    const path = storeRunFile(tmp, { timestamp: t.startedAt.toISOString(), label: end.label }, {
      cacheDir: dir,
    }, RUN_EXTENSION);
    stored[stored.length] = path;
    if (end.test !== undefined) listTest(s, path);
    pruneCache(dir, s.keep, path);
    return path;
  } catch (e) {
    try {
      remove(tmp);
    } catch {
      // Never written.
    }
    if (retry) {
      later[later.length] = { t, end };
      return null;
    }
    if (end.test !== undefined) {
      // Not in the runner's output: tph test says it after the runner's report.
      listTest(s, `!"${dir}": ${fileProblem(e)}`);
    } else if (!toldSaveProblem) {
      toldSaveProblem = true;
      process.stderr.write(
        `tph: warning: cannot store the trace() block in "${dir}": ${fileProblem(e)}; ` +
          `set auto_save = false (or cache = false) in the config to not store blocks\n`,
      );
    }
    return null;
  } finally {
    rt.hush(false);
  }
}

/** List a test's stored run, or (`!…`) why it could not be stored, for tph test's report. */
function listTest(s: BlockSettings, line: string): void {
  if (s.testList === null) return;
  try {
    appendText(s.testList, line.replace(/\n/g, " ") + "\n");
  } catch {
    // The report then does not count it: the run itself, if stored, is in the cache.
  }
}

/** Store the blocks that could not be stored when they ended (call as the process ends). */
export function saveLaterBlocks(): void {
  for (let i = 0; i < later.length; i++) saveBlock(later[i].t, later[i].end);
  later.length = 0;
}

/**
 * Keep the cache within max_runs and max_cache_mb, the run just stored included: soon after, not
 * at once (the listing's reader loads then, and only in a program whose config bounds the cache).
 */
export function pruneCache(
  dir: string,
  keep: BlockSettings["keep"],
  just: string,
): void {
  if (keep.maxRuns === null && keep.maxCacheMb === null) return;
  Promise.all([import("../store/list_runs.ts"), import("../store/prune_runs.ts")]).then(
    ([{ listRuns }, { pickOldRuns, removeRuns }]) => {
      const rt = runtime();
      rt.hush(true);
      try {
        removeRuns(pickOldRuns(listRuns(dir).entries, {
          ...(keep.maxRuns !== null ? { keep: keep.maxRuns } : {}),
          ...(keep.maxCacheMb !== null ? { maxBytes: keep.maxCacheMb * 1e6 } : {}),
          now: Date.now(),
          protect: [just],
        }));
      } catch {
        // The cache stays as it is: the next stored block, or tph run, tries again.
      } finally {
        rt.hush(false);
      }
    },
    () => {},
  );
}
