// A stored run as the JSON document, whatever its file's format (tph's run format or JSON).

import { openRun, setRawConverter } from "../src/run_file/decode.ts";
import { convertRawRun } from "../src/program/recorder/raw_run.ts";

// Runs `tph run` wrote raw (src/program/recorder/raw_run.ts) are made run files when read, as the
// commands that read runs make them.
setRawConverter(convertRawRun);
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

/**
 * The `run` part of a run's meta for the run-file fixtures, whose own meta has none (a reader
 * requires `run.command`).
 */
export const FIXTURE_RUN_META = {
  command: ["node", "m.mjs"],
  cwd: "/fixture",
  runtime: "node",
  runtime_version: "24.0.0",
  ended: "exit",
  exit_code: 0,
  signal: null,
  duration_ms: 1,
};
