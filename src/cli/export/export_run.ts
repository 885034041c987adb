// `tph export` and `tph run --export`: a stored run written in another tool's format, streamed
// from the run file to the output (see openOutput: a file written beside and renamed, a device or
// a FIFO written into).

import type { ByteSink } from "../../run_file/json_sink.ts";
import { type OutputOptions, writeOutput } from "../../platform/files.ts";
import type { RunFile } from "../../run_file/decode.ts";
import type { WalkOptions } from "./calls.ts";
import { writeChrome } from "./chrome.ts";
import { writeSpeedscope } from "./speedscope.ts";
import { writeOtlpJson } from "./otlp.ts";
import { writePerfetto } from "./perfetto.ts";
import type { ExportStats } from "./summary.ts";
import { besideRun, EXPORT_SUFFIX, type ExportFormat, MULTI_RUN_FORMATS } from "./formats.ts";
export { EXPORT_FORMATS, type ExportFormat, isExportFormat } from "./formats.ts";

/** Where an export goes when no file is named: beside the run, with the format's ending. */
export function defaultExportPath(runPath: string, format: ExportFormat): string {
  return besideRun(runPath, EXPORT_SUFFIX[format]);
}

/** Options of {@linkcode writeExport}. */
export interface ExportOptions extends WalkOptions {
  /** A temporary file the export may use while it reads the run (speedscope). */
  spillPath: string;
  /** Told one line for each run whose trace context is malformed (and left out). */
  warn?: (line: string) => void;
}

/**
 * Write runs in a format, streaming: one run, or several where the format holds them
 * (MULTI_RUN_FORMATS: one trace of them all).
 *
 * @param files The runs.
 * @param format The format.
 * @param target Where the bytes go.
 * @param options Filters, and a temporary file.
 */
export function writeExport(
  files: RunFile | readonly RunFile[],
  format: ExportFormat,
  target: ByteSink,
  options: ExportOptions,
): Promise<ExportStats> | ExportStats {
  const runs = Array.isArray(files) ? files as readonly RunFile[] : [files as RunFile];
  const file = runs[0];
  if (runs.length !== 1 && !MULTI_RUN_FORMATS.includes(format)) {
    throw new Error(`the ${format} export takes one run`);
  }
  switch (format) {
    case "chrome":
      return writeChrome(runs, target, options);
    case "speedscope":
      return writeSpeedscope(runs, target, options, options.spillPath);
    case "otlp":
      return writeOtlpJson(runs, target, options);
    case "json":
      file.writeJSON(target, options.step);
      return { calls: file.meta.call_count, tracks: 1 };
    case "perfetto":
      return writePerfetto(runs, target, options);
  }
}

/**
 * Write a run's export to a file (see openOutput).
 *
 * @param output `private` for a file beside the run, in the cache.
 * @returns What was written.
 */
export async function exportToFile(
  file: RunFile | readonly RunFile[],
  format: ExportFormat,
  path: string,
  options: WalkOptions & { warn?: (line: string) => void },
  output: OutputOptions = {},
): Promise<ExportStats> {
  return await writeOutput(
    path,
    (out, scratch) => writeExport(file, format, out, { ...options, spillPath: scratch() }),
    output,
  );
}

/** A ByteSink to hand writeExport. */
export type { ByteSink };
