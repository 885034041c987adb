// A run written raw at the program's end (program/recorder/raw_run.ts: the tape's columns as they
// are, ~45 bytes a call) is made a run file (~11–23 bytes a call, run_file/format.ts) once the
// program has ended, so that the cache keeps only compact runs and a run's first read costs what
// any read costs. The program's exit keeps what the raw write gained: a small run is made a run
// file in tph's own process (a few milliseconds), a larger one by a process of tph's own, started
// detached, that outlives `tph run` (the command ends as soon as its program has). A reader that
// meets a run not yet made one makes it itself, as it always did (run_file/decode.ts: concurrent
// conversions give the same bytes, renamed over one another).

import { FileReader, isSpecialFile, stat } from "../../platform/files.ts";
import { spawnDetached, tphArgv } from "../../platform/process.ts";
import { isBinary } from "../../program/command.ts";
import { isRaw, RUN_MAGIC } from "../../run_file/format.ts";

/**
 * Raw runs up to this size are made run files by `tph run` itself: at ~45 bytes a call, ~11,000
 * calls, a few milliseconds. Larger ones are left to a process of their own.
 */
export const SETTLE_HERE_BYTES = 512 << 10;

/** The hidden command of that process: `tph __settle <run file>…` (main.ts). */
export const SETTLE_COMMAND = "__settle";

/** Whether `path` is a raw run (its 8th byte). */
function rawRun(path: string): boolean {
  let reader: FileReader | null = null;
  try {
    // Never opened where it would block (a FIFO put in its place) or read a device.
    if (isSpecialFile(path)) return false;
    reader = new FileReader(path);
    const head = new Uint8Array(RUN_MAGIC.length);
    return reader.read(head, 0) === RUN_MAGIC.length && isRaw(head[7]);
  } catch {
    return false;
  } finally {
    reader?.close();
  }
}

/**
 * Make the raw run stored at `path` a run file: here when it is small, else by a detached process
 * (`tph __settle`). Nothing is said: a run left raw is made a run file when first read. Where
 * TPH_RAW_WRITE=1 forced the raw write (program/child.ts), for the tests and benchmarks of what
 * reads raw runs, the run stays as written.
 *
 * @param path The stored run.
 * @param cwd The folder the detached process starts in (tph's own).
 * @param env tph's environment.
 * @returns How: "here", "apart", or null (not a raw run, or it could not be done).
 */
export async function settleRaw(
  path: string,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<"here" | "apart" | null> {
  if (env.TPH_RAW_WRITE === "1" || !rawRun(path)) return null;
  let size: number;
  try {
    size = stat(path).size;
  } catch {
    return null;
  }
  if (size <= SETTLE_HERE_BYTES) return await settleRuns([path]) ? "here" : null;
  return spawnDetached([...tphArgv(isBinary()), SETTLE_COMMAND, path], cwd) ? "apart" : null;
}

/**
 * Make each of `paths` that is a raw run a run file, in place; one that cannot be (removed,
 * damaged, its folder read-only) is left as it is. Returns whether all were made.
 *
 * @param paths Stored runs.
 */
export async function settleRuns(paths: readonly string[]): Promise<boolean> {
  const [{ rawConverter }, { openRun, setRawConverter }] = await Promise.all([
    import("../../program/read_runs.ts"),
    import("../../run_file/decode.ts"),
  ]);
  setRawConverter(await rawConverter());
  let all = true;
  for (const path of paths) {
    if (!rawRun(path)) continue;
    try {
      openRun(path).close();
    } catch {
      all = false;
    }
  }
  return all;
}
