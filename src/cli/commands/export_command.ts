import { progress } from "./progress.ts";
import { relative, resolve } from "node:path";
import { openRun, type RunFile } from "../../run_file/decode.ts";
import { StoreError } from "../../run_file/store_error.ts";
import { resolveRunRef } from "../../store/resolve_run_ref.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { addChildRuns } from "../export/child_files.ts";
import { type Context, intOption } from "./command.ts";
import type { EXPORT_OPTIONS } from "./options.ts";
import { fileProblem, tempBeside } from "../../platform/files.ts";
import { CliError, usageError } from "./errors.ts";
import { safeOutput, safeText } from "../../render/safe_text.ts";
import { SafeJsonBytes } from "../../render/safe_json_bytes.ts";
import {
  EXPORT_FORMATS,
  EXPORT_OPEN,
  type ExportFormat,
  formatNames,
  isExportFormat,
  MULTI_RUN_FORMATS,
} from "../export/formats.ts";
import type { ExportStats } from "../export/summary.ts";
import type { WalkOptions } from "../export/calls.ts";
import { shellWord } from "./shell_word.ts";
import { OtlpSendError, type OtlpTarget, otlpTarget } from "../export/otlp_errors.ts";

/** The formats of another tool's (all but tph's own JSON): --filter and --max-depth apply. */
const TRACE_FORMATS = EXPORT_FORMATS.filter((f) => f !== "json");

/** `tph export`'s work: its options and help are in the command table (commands.ts). */
export async function run(ctx: Context<typeof EXPORT_OPTIONS>): Promise<number> {
  const formatName = ctx.values.format;
  if (formatName !== undefined && !isExportFormat(formatName)) {
    throw usageError(
      `--format takes ${EXPORT_FORMATS.join(", ")}, got "${formatName}"`,
      "export",
    );
  }
  const format: ExportFormat = formatName ?? "json";
  const filter = ctx.values.filter;
  if (filter === "") throw usageError("--filter needs a name to look for", "export");
  const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "export", 1);
  const walk: WalkOptions & { warn?: (line: string) => void } = { filter, maxDepth };
  if (format === "json" && (filter !== undefined || maxDepth !== undefined)) {
    throw usageError(
      `--filter and --max-depth are for ${formatNames("and", TRACE_FORMATS)}: the JSON ` +
        "export is the whole run (tph tree --filter shows a part of it)",
      "export",
    );
  }
  const endpoint = ctx.values["otlp-endpoint"];
  let target: OtlpTarget | undefined;
  if (endpoint !== undefined || ctx.values.otlp) {
    const option = endpoint !== undefined ? "--otlp-endpoint" : "--otlp";
    if (formatName !== undefined && formatName !== "otlp") {
      throw usageError(`${option} sends the otlp format, not ${formatName}`, "export");
    }
    if (ctx.values.output !== undefined) {
      throw usageError(`either -o FILE or ${option}, not both`, "export");
    }
    try {
      target = otlpTarget(endpoint, ctx.env ?? {});
    } catch (e) {
      throw usageError((e as Error).message, "export");
    }
  }
  const refs = ctx.positionals;
  // Each run once (`last` and `1` are the same run).
  const paths = [
    ...new Set(
      refs.map((ref) =>
        resolve(
          ctx.cwd,
          resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd, warn: (m) => ctx.warn(m) }),
        )
      ),
    ),
  ];
  const several = paths.length > 1;
  if (several) {
    if (target === undefined && !MULTI_RUN_FORMATS.includes(format)) {
      throw usageError(
        formatName === undefined
          ? `several runs export as one trace: --format ${formatNames("or", MULTI_RUN_FORMATS)}`
          : `the ${format} export takes one run; ${formatNames("and", MULTI_RUN_FORMATS)} ` +
            "take several",
        "export",
      );
    }
    if (target === undefined && ctx.values.output === undefined) {
      throw usageError(
        "several runs export to one file: name it with -o FILE (- for stdout)",
        "export",
      );
    }
  }
  const files: RunFile[] = [];
  try {
    for (const p of paths) files.push(openRun(p, { cwd: ctx.cwd }));
    // The runs of the processes and workers a run started (tph run followed them), where the
    // format holds several: each on a track of its own (export/family.ts).
    if (
      !ctx.values["no-children"] && (target !== undefined || MULTI_RUN_FORMATS.includes(format))
    ) {
      addChildRuns(files, ctx.cwd);
    }
    return await exportRuns(ctx, files, { format, formatName, walk, target, refs });
  } finally {
    for (const f of files) f.close();
  }
}

/** The export of opened runs: sent, to a file, or to stdout. */
async function exportRuns(
  ctx: Context<typeof EXPORT_OPTIONS>,
  files: RunFile[],
  how: {
    format: ExportFormat;
    formatName: string | undefined;
    walk: WalkOptions & { warn?: (line: string) => void };
    target: OtlpTarget | undefined;
    refs: string[];
  },
): Promise<number> {
  const { format, formatName, walk, target } = how;
  const path = files[0].path;
  const filter = walk.filter;
  const noMatch = () =>
    new CliError(
      `No call in ${
        how.refs.length === 1 ? `run "${how.refs[0]}"` : "the runs"
      } has a name containing "${filter}"`,
      1,
    );
  // A malformed trace context is left out, with a line that says so.
  walk.warn = (line) => ctx.warn(`run ${safeText(line)}`);
  // A million calls take seconds: on a terminal, a line says how far the export is.
  const total = files.reduce((n, f) => n + f.meta.call_count, 0);
  const going = progress("exporting", total, "calls");
  walk.step = (n) => going.step(n);
  // Loaded when asked for: the exporters are nothing to the other commands.
  const { defaultExportPath, exportToFile } = await import("../export/export_run.ts");
  try {
    if (target !== undefined) {
      const { sendOtlp } = await import("../export/otlp_send.ts");
      try {
        const sent = await sendOtlp(files, target, { ...walk, spillPath: tempBeside(path) });
        going.end();
        ctx.err(
          `tph: sent ${sent.spans} span${sent.spans === 1 ? "" : "s"} in ${sent.requests} ` +
            `request${sent.requests === 1 ? "" : "s"} to ${safeText(sent.url)}`,
        );
        if (filter !== undefined && sent.spans === 0) throw noMatch();
        return 0;
      } catch (e) {
        if (e instanceof OtlpSendError) throw new CliError(safeOutput(e.message), 1);
        throw e;
      }
    }
    let output = ctx.values.output;
    // Beside the run, the export is the cache's own file: private, as the run is.
    const beside = output === undefined;
    if (output === undefined && formatName !== undefined) {
      output = defaultExportPath(path, format);
    }
    if (output === undefined || output === "-") {
      await toStdout(ctx, files, format, walk, path);
      going.end();
      return 0;
    }
    const dest = resolve(ctx.cwd, output);
    let stats;
    try {
      stats = await exportToFile(files, format, dest, walk, { private: beside });
      going.end();
    } catch (e) {
      if (e instanceof StoreError || e instanceof CliError) throw e;
      throw new CliError(
        `Cannot write "${output}": ${fileProblem(e, "its folder does not exist")}`,
        1,
      );
    }
    if (formatName !== undefined) {
      const shown = relative(ctx.cwd, dest) || dest;
      ctx.err(`tph: wrote ${exportedTo(stats, format, shown)}`);
    }
    if (filter !== undefined && stats.calls === 0) throw noMatch();
    return 0;
  } finally {
    going.end();
  }
}

/** The export on stdout, escaped (see SafeJsonBytes), and stopped once nobody reads. */
async function toStdout(
  ctx: Context<typeof EXPORT_OPTIONS>,
  file: RunFile | RunFile[],
  format: ExportFormat,
  walk: WalkOptions,
  runPath: string,
): Promise<void> {
  // Once nobody reads stdout (`| head`), there is nothing more to do.
  const gone = new Error("stdout closed");
  const write = (bytes: Uint8Array, length: number) => {
    if (!ctx.outBytes(bytes, length)) throw gone;
  };
  // The program's C1 controls, line separators and bidi overrides (which JSON leaves raw in its
  // strings) are written as \u escapes, as tph view --json prints them: the same JSON once
  // parsed, nothing for a terminal (or a later `cat`) to act on. Perfetto's format is binary.
  const escaped = format === "perfetto" ? null : new SafeJsonBytes(write);
  const { writeExport } = await import("../export/export_run.ts");
  if (ctx.terminal && format === "perfetto") {
    throw usageError("the perfetto format is binary: write it to a file (-o FILE)", "export");
  }
  try {
    await writeExport(file, format, escaped ?? { write }, {
      ...walk,
      spillPath: tempBeside(runPath),
    });
    escaped?.end();
  } catch (e) {
    if (e !== gone) throw e;
  }
}

/**
 * What a closing line says of a written export: `N calls on T tracks[ as FORMAT] to FILE; how to
 * open it`.
 */
export function exportedTo(
  stats: ExportStats,
  format: ExportFormat,
  shown: string,
  naming = false,
): string {
  const tracks = stats.tracks > 1 ? ` on ${stats.tracks} tracks` : "";
  return `${stats.calls} call${stats.calls === 1 ? "" : "s"}${tracks}` +
    `${naming ? ` as ${format}` : ""} to ${safeText(shown)}; ` +
    safeText(EXPORT_OPEN[format](shellWord(shown)));
}
