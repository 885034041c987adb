// Which format a run file is in, from its first bytes: kept apart from the reader, so that storing
// a run (save_run.ts, which a trace() block in the program's process does) loads no reader.

import { readAt } from "../platform/files.ts";
import { RUN_MAGIC } from "./format.ts";

/** Whether a file starts as a run file in tph's format. */
export function isRunFormat(path: string): boolean {
  try {
    const head = readAt(path, 0, 7);
    return head.length === 7 && head.every((b, i) => b === RUN_MAGIC[i]);
  } catch {
    return false;
  }
}
