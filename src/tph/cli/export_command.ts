import { relative, resolve } from "node:path";
import { openRun, type RunFile } from "../store/run_reader.ts";
import { StoreError } from "../store/store_error.ts";
import { resolveRunRef } from "../store/resolve_run_ref.ts";
import { CACHE_DIR_OPTION, cacheDirFor } from "./cache_dir_for.ts";
import { type Command, type Context, intOption } from "./command.ts";
import { fileProblem, tempBeside } from "../../host/files.ts";
import { CliError, usageError } from "./errors.ts";
import { safeOutput, safeText } from "../../render/safe_text.ts";
import { SafeJsonBytes } from "../../render/safe_json_bytes.ts";
import {
  EXPORT_FORMATS,
  EXPORT_OPEN,
  type ExportFormat,
  isExportFormat,
} from "../export/formats.ts";
import type { ExportStats } from "../export/summary.ts";
import type { WalkOptions } from "../export/calls.ts";
import { shellWord } from "./shell_word.ts";
import { OtlpSendError, tracesUrl } from "../export/otlp_errors.ts";

/** `tph export <run>`: a stored run in another tool's format (or tph's JSON), streamed. */
export const exportCommand: Command = {
  name: "export",
  summary: "write a stored run for Perfetto, speedscope, OpenTelemetry, or as JSON, streamed",
  usage: "export <run> [--format chrome|perfetto|speedscope|otlp|json] [-o FILE] " +
    "[--otlp-endpoint URL] [--filter NAME] [--max-depth N] [--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), or a run id or a",
    "unique prefix of one. With --format, the export goes to FILE, or without -o beside the run",
    "(run_….chrome.json, .pftrace, .speedscope.json, .otlp.json, .run.json); -o - writes it to",
    "stdout. Without --format, the run's JSON goes to stdout (or FILE), as tph run -o writes it.",
    "chrome: Trace Event Format, for ui.perfetto.dev and chrome://tracing; perfetto: Perfetto's",
    "own protobuf format, smaller; speedscope: for npx speedscope; otlp: OTLP/JSON, for an",
    "OpenTelemetry collector (Jaeger, Grafana Tempo). Calls that ran at once are drawn on tracks",
    "of their own (async 1, async 2, …) so that nothing overlaps. --otlp-endpoint sends the",
    "run to a collector instead (OTLP/HTTP protobuf, to URL/v1/traces, requests of 16 MiB at most).",
  ],
  examples: [
    "tph export last --format chrome",
    "tph export last --format speedscope -o trace.speedscope.json",
    "tph export 2 --format otlp --filter checkout",
    "tph export last --otlp-endpoint http://localhost:4318",
    "tph export last > run.json",
  ],
  options: {
    format: {
      type: "string",
      short: "f",
      arg: "NAME",
      help: `one of ${EXPORT_FORMATS.join(", ")} (default: json to stdout)`,
    },
    output: { type: "string", short: "o", arg: "FILE", help: "write to FILE (- for stdout)" },
    "otlp-endpoint": {
      type: "string",
      arg: "URL",
      help: "send the run to an OpenTelemetry collector (OTLP/HTTP) instead of writing a file",
    },
    filter: {
      type: "string",
      arg: "NAME",
      help: "only calls whose name contains NAME, with the calls leading to them",
    },
    "max-depth": { type: "string", arg: "N", help: "only N levels of calls" },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  async run(ctx) {
    const formatName = ctx.values.format as string | undefined;
    if (formatName !== undefined && !isExportFormat(formatName)) {
      throw usageError(
        `--format takes ${EXPORT_FORMATS.join(", ")}, got "${formatName}"`,
        "export",
      );
    }
    const format: ExportFormat = formatName ?? "json";
    const filter = ctx.values.filter as string | undefined;
    if (filter === "") throw usageError("--filter needs a name to look for", "export");
    const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "export", 1);
    const walk: WalkOptions = { filter, maxDepth };
    if (format === "json" && (filter !== undefined || maxDepth !== undefined)) {
      throw usageError(
        "--filter and --max-depth are for chrome, perfetto, speedscope and otlp: the JSON " +
          "export is the whole run (tph tree --filter shows a part of it)",
        "export",
      );
    }
    const endpoint = ctx.values["otlp-endpoint"] as string | undefined;
    if (endpoint !== undefined) {
      if (formatName !== undefined && formatName !== "otlp") {
        throw usageError(`--otlp-endpoint sends the otlp format, not ${formatName}`, "export");
      }
      if (ctx.values.output !== undefined) {
        throw usageError("either -o FILE or --otlp-endpoint URL, not both", "export");
      }
      try {
        tracesUrl(endpoint);
      } catch (e) {
        throw usageError((e as Error).message, "export");
      }
    }
    const ref = ctx.positionals[0];
    const path = resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd });
    const file = openRun(path, { cwd: ctx.cwd });
    // Loaded when asked for: the exporters are nothing to the other commands.
    const { defaultExportPath, exportToFile } = await import("../export/export_run.ts");
    try {
      if (endpoint !== undefined) {
        const { sendOtlp } = await import("../export/otlp_send.ts");
        try {
          const sent = await sendOtlp(file, endpoint, { ...walk, spillPath: tempBeside(path) });
          ctx.err(
            `tph: sent ${sent.spans} span${sent.spans === 1 ? "" : "s"} in ${sent.requests} ` +
              `request${sent.requests === 1 ? "" : "s"} to ${safeText(sent.url)}`,
          );
          if (filter !== undefined && sent.spans === 0) {
            throw new CliError(`No call in run "${ref}" has a name containing "${filter}"`, 1);
          }
          return 0;
        } catch (e) {
          if (e instanceof OtlpSendError) throw new CliError(safeOutput(e.message), 1);
          throw e;
        }
      }
      let output = ctx.values.output as string | undefined;
      // Beside the run, the export is the cache's own file: private, as the run is.
      const beside = output === undefined;
      if (output === undefined && formatName !== undefined) {
        output = defaultExportPath(path, format);
      }
      if (output === undefined || output === "-") {
        await toStdout(ctx, file, format, walk, path);
        return 0;
      }
      const dest = resolve(ctx.cwd, output);
      let stats;
      try {
        stats = await exportToFile(file, format, dest, walk, { private: beside });
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
      if (filter !== undefined && stats.calls === 0) {
        throw new CliError(`No call in run "${ref}" has a name containing "${filter}"`, 1);
      }
      return 0;
    } finally {
      file.close();
    }
  },
};

/** The export on stdout, escaped (see SafeJsonBytes), and stopped once nobody reads. */
async function toStdout(
  ctx: Context,
  file: RunFile,
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
