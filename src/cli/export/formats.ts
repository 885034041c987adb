// The export formats by name, and how their files beside the runs are named (the run cache does
// not list them). Nothing here loads the exporters: `tph run` checks --export with it alone.

/** The formats, in the order help lists them. */
export const EXPORT_FORMATS = ["chrome", "perfetto", "speedscope", "otlp", "json"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

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

/** Each format's file name ending. */
export const EXPORT_SUFFIX = {
  chrome: ".chrome.json",
  perfetto: ".pftrace",
  speedscope: ".speedscope.json",
  otlp: ".otlp.json",
  json: ".run.json",
  /** `tph view --html`. */
  html: ".html",
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
