// A run written raw at the program's end (program/recorder/raw_run.ts: the tape's columns as they
// are, ~45 bytes a call; only runs of 50,000 calls or more: program/child.ts) is made a run file
// (~7–23 bytes a call, run_file/format.ts) once the program has ended, so that the cache keeps only
// compact runs and a run's first read costs what any read costs. The program's exit keeps what the
// raw write gained: the run is made by a process of tph's own, started detached, that outlives
// `tph run` (the command ends as soon as its program has). A reader that meets a run not yet made
// one makes it itself, as it always did (run_file/decode.ts: concurrent conversions give the same
// bytes, renamed over one another).

import { FileReader, isSpecialFile } from "../../platform/files.ts";
import { osName, spawnDetached, tphArgv } from "../../platform/process.ts";
import { isBinary } from "../../program/command.ts";
import { isRaw, RUN_MAGIC } from "../../run_file/format.ts";

/** The shell's command that starts tph's process once `tph run` has ended. */
const START_AFTER = 'sleep 0.2; exec "$@"';

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
 * Make the raw run stored at `path` a run file, by a detached process (`tph __settle`). Nothing is
 * said: a run left raw is made a run file when first read. Where TPH_RAW_WRITE=1 forced the raw
 * write (program/child.ts), for the tests and benchmarks of what reads raw runs, it stays raw.
 *
 * @param path The stored run.
 * @param cwd The folder the detached process starts in (tph's own).
 * @param env tph's environment.
 */
export function settleRaw(
  path: string,
  cwd: string,
  env: Record<string, string | undefined>,
): void {
  if (env.TPH_RAW_WRITE === "1" || !rawRun(path)) return;
  const argv = [...tphArgv(isBinary()), SETTLE_COMMAND, path];
  // Started once tph run has ended (a shell's sleep, then tph): the runtime's start-up then takes
  // no CPU from tph's own exit (bench/store_settle.ts). Windows has no /bin/sh: at once there.
  const later = osName() === "win32" ? argv : ["/bin/sh", "-c", START_AFTER, "sh", ...argv];
  spawnDetached(later, cwd);
}

/**
 * Make each of `paths` that is a raw run a run file, in place, through the converter the CLI set
 * (main.ts); one that cannot be (removed, damaged, its folder read-only) is left as it is.
 *
 * @param paths Stored runs.
 */
export async function settleRuns(paths: readonly string[]): Promise<void> {
  const { openRun } = await import("../../run_file/decode.ts");
  for (const path of paths) {
    if (!rawRun(path)) continue;
    try {
      openRun(path).close();
    } catch {
      // Left raw: its first read makes it.
    }
  }
}
