// What the CLI takes from the program's side to read stored runs: the converter of runs written
// raw at the program's end (recorder/raw_run.ts) into run files. A contract of its own, apart
// from command.ts, which `tph run`'s head start loads before anything else.

import type { RawConverter } from "../run_file/decode.ts";
import type { callNode, eachRecordedRow, endedInTrace, readRawRun } from "./recorder/raw_run.ts";

export type { TraceState } from "./recorder/trace_state.ts";
export type { FunctionRecord } from "./recorder/functions.ts";

/**
 * What `tph lsp` reads a raw run with (src/cli/lsp/run_digest.ts, digestRaw): the tape rebuilt
 * from its bytes, the rows a run file holds (as the JSON run walks them), whether a call ended
 * while the trace recorded, and a call's node made as the JSON run makes it.
 */
export interface RawReader {
  readRawRun: typeof readRawRun;
  eachRecordedRow: typeof eachRecordedRow;
  endedInTrace: typeof endedInTrace;
  callNode: typeof callNode;
}

/**
 * The converter of runs written raw at the program's end into run files, for the commands that
 * read runs: the recorder's writer, loaded only then.
 */
export async function rawConverter(): Promise<RawConverter> {
  const { convertRawRun } = await import("./recorder/raw_run.ts");
  return convertRawRun;
}

/**
 * What `tph lsp` reads raw runs with, without making them run files (run_digest.ts, digestRaw):
 * the recorder's reader, loaded only then.
 */
export async function rawReader(): Promise<RawReader> {
  const { callNode, eachRecordedRow, endedInTrace, readRawRun } = await import(
    "./recorder/raw_run.ts"
  );
  return { callNode, eachRecordedRow, endedInTrace, readRawRun };
}
