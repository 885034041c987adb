// A stored run as the JSON document, whatever its file's format (tph's run format or JSON).

import { openRun } from "../src/run_file/decode.ts";
import type { RunJSON } from "../src/types.ts";

/** The run in a file: its top-level fields and its whole call tree. */
export function readRunFile(path: string): RunJSON {
  const file = openRun(path);
  try {
    return { ...file.meta, trace: file.tree().roots };
  } finally {
    file.close();
  }
}

/** Whether a file name is a stored run's (`run_….json` or `run_….tph`). */
export const isRunFileName = (name: string): boolean => /^run_.*\.(?:json|tph)$/.test(name);
