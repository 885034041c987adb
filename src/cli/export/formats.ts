// The export formats by name, and how their files beside the runs are named (the run cache does
// not list them). Nothing here loads the exporters: `tph run` checks --export with it alone.

/** The formats, in the order help lists them. */
export const EXPORT_FORMATS = ["chrome", "perfetto", "speedscope", "otlp", "json"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];
/** The formats that hold several runs in one file, as one trace (the others take one run). */
export const MULTI_RUN_FORMATS: readonly ExportFormat[] = [
  "otlp",
  "chrome",
  "perfetto",
  "speedscope",
];

/**
 * Format names as help and messages list them: `chrome, perfetto, speedscope, otlp or json`.
 *
 * @param conjunction The word before the last name.
 * @param formats The names (default: every format).
 */
export function formatNames(
  conjunction: "and" | "or",
  formats: readonly string[] = EXPORT_FORMATS,
): string {
  return formats.length < 2
    ? formats.join("")
    : `${formats.slice(0, -1).join(", ")} ${conjunction} ${formats.at(-1)}`;
}

/** Whether a format name is one tph writes. */
export function isExportFormat(name: string): name is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(name);
}

// The files of exports beside a run are named by the run cache, which lists and prunes them with
// their run: store/beside_run.ts.
export { besideRun, EXPORT_SUFFIX, exportsOf, isExportName } from "../../store/beside_run.ts";

/** How to open each format's file, given the file as a shell word. */
export const EXPORT_OPEN: Record<ExportFormat, (file: string) => string> = {
  chrome: () => "open https://ui.perfetto.dev and drop the file on it (or chrome://tracing, Load)",
  perfetto: () => "open https://ui.perfetto.dev and drop the file on it",
  speedscope: (file) => `npx speedscope ${file}`,
  otlp: (file) =>
    "send it to an OpenTelemetry collector: curl -H 'Content-Type: application/json' " +
    `--data-binary @${file} http://localhost:4318/v1/traces`,
  json: (file) => `tph tree ${file}`,
};
