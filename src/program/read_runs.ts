// What the CLI takes from the program's side to read stored runs: the converter of runs written
// raw at the program's end (recorder/raw_run.ts) into run files. A contract of its own, apart
// from command.ts, which `tph run`'s head start loads before anything else.

import type { RawConverter } from "../run_file/decode.ts";

/**
 * The converter of runs written raw at the program's end into run files, for the commands that
 * read runs: the recorder's writer, loaded only then.
 */
export async function rawConverter(): Promise<RawConverter> {
  const { convertRawRun } = await import("./recorder/raw_run.ts");
  return convertRawRun;
}
