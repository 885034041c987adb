// The files the run cache keeps beside a run: its exports (`tph run --export`, `tph export`, `tph
// view --html`), named by the run's name and the format's ending, so that listing runs skips them
// and pruning a run removes them with it.

/** Each format's file name ending. */
import { Object } from "../platform/globals.ts";
export const EXPORT_SUFFIX = {
  chrome: ".chrome.json",
  perfetto: ".pftrace",
  speedscope: ".speedscope.json",
  otlp: ".otlp.json",
  json: ".run.json",
  /** `tph view --html`. */
  html: ".html",
  /** `tph lsp`'s digest of the run (src/cli/lsp/run_digest.ts). */
  lsp: ".lsp.json",
} as const;

/** Whether a file name in the cache is an export's, not a run's. */
export function isExportName(name: string): boolean {
  for (const suffix of Object.values(EXPORT_SUFFIX)) if (name.endsWith(suffix)) return true;
  return false;
}

/** A file beside a run: the run's name without its ending, then `suffix`. */
export function besideRun(runPath: string, suffix: string): string {
  return runPath.replace(/\.(?:tph|json)$/, "") + suffix;
}

/** The files a run's exports have beside it (whether or not they exist). */
export function exportsOf(runPath: string): string[] {
  return Object.values(EXPORT_SUFFIX).map((suffix) => besideRun(runPath, suffix));
}
