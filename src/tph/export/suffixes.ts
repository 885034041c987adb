// How export files beside the runs are named (export_run.ts): the run cache does not list them.

/** Each format's file name ending. */
export const EXPORT_SUFFIX = {
  chrome: ".chrome.json",
  perfetto: ".pftrace",
  speedscope: ".speedscope.json",
  otlp: ".otlp.json",
  json: ".run.json",
} as const;

/** Whether a file name in the cache is an export's, not a run's. */
export function isExportName(name: string): boolean {
  for (const suffix of Object.values(EXPORT_SUFFIX)) if (name.endsWith(suffix)) return true;
  return false;
}
