import type { CallNodeJSON, RunJSON } from "../types.ts";
import { safeText } from "./safe_text.ts";
import { formatSize } from "./size.ts";
import { countCalls, formatDuration } from "./tree.ts";
import { LIMITS } from "../run_file/limits.ts";

/** One row of `tph logs`: a run and its id. */
export interface LogRow {
  /** The run id (file name without `run_` and `.json`). */
  id: string;
  /** The run's top-level fields (its calls are not needed). */
  run: Omit<RunJSON, "trace">;
  /** The run file's size in bytes (`-` when not given). */
  size?: number;
  /** Its number as `tph logs` gives it over all runs (default: its place among the rows). */
  n?: number;
}

/** Options shared by {@linkcode renderRunSummary} and {@linkcode renderLogTable}. */
export interface SummaryOptions {
  /** Show times in the local time zone (default) or in UTC. */
  timeZone?: "local" | "utc";
}

/** Options of {@linkcode renderRunSummary}. */
export interface RunSummaryOptions extends SummaryOptions {
  /** The run's id, when it is in the cache. */
  id?: string;
  /** The run's file, as it should be shown. */
  path?: string;
  /** Most root calls listed (default 20); a last line counts the others. */
  maxRoots?: number;
  /** How many calls a root call holds, itself included (default: counted from its children). */
  callsOf?: (root: CallNodeJSON) => number;
}

const COMMAND_WIDTH = 40;
const OPTIONS_WIDTH = 40;

/**
 * What a run was made with that is not the default, in a few words for `tph logs`: its limits
 * (`max_calls=3`), filters and globs, and the values `--find` looked for; `-` for none.
 */
function runOptions(run: Omit<RunJSON, "trace">): string {
  const c = run.config;
  const out: string[] = [];
  if (c !== undefined) {
    // Absent (`details` in runs made before it): made with the default.
    for (const { key, default: value } of LIMITS) {
      if (c[key] !== undefined && c[key] !== value) out.push(`${key}=${c[key]}`);
    }
    for (
      const [key, list] of [
        ["include", c.include],
        ["exclude", c.exclude],
        ["ignore", c.ignore_modules],
      ] as const
    ) {
      if (list !== undefined && list.length > 0) out.push(`${key}=${list.join(",")}`);
    }
  }
  // A run file from elsewhere may hold anything here: only target texts are shown.
  const targets: unknown = run.find?.targets;
  if (Array.isArray(targets) && targets.length > 0) {
    out.push(`find=${targets.map((t) => String(t?.text)).join(",")}`);
  }
  return out.length === 0 ? "-" : out.join(" ");
}

function formatTime(iso: string, zone: SummaryOptions["timeZone"]): string {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  if (zone === "utc") {
    return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
      `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
  }
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A command line as a shell would take it back: words with spaces or quotes are quoted. */
function shellJoin(words: string[]): string {
  return words.map((w) => /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

function cut(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + "…" : text;
}

/** How a run ended, in a few words for the table: `ok`, `exit 3`, `exception`, `SIGINT`. */
function endedShort(run: Omit<RunJSON, "trace">): string {
  const r = run.run;
  if (r === undefined) return "-";
  if (r.test !== undefined) return `test ${r.test.outcome}`;
  if (r.block && !openAtEnd(r)) return r.ended === "completed" ? "block" : "block threw";
  if (r.block) return `block, ${endedShort({ ...run, run: { ...r, block: false } })}`;
  if (r.ended === "signal") return r.signal ?? "signal";
  if (r.ended === "completed") return r.exit_code ? `exit ${r.exit_code}` : "ok";
  if (r.ended === "exit") return `exit ${r.exit_code ?? "?"}`;
  return r.ended;
}

/**
 * Whether a block's run was stored as the process ended with the block still open: it then has
 * the process's ending (an exit code, a signal), which a block that stopped has not.
 */
function openAtEnd(r: NonNullable<RunJSON["run"]>): boolean {
  return r.exit_code !== null || r.ended === "exit" || r.ended === "signal" ||
    r.ended === "rejection";
}

/** How a run ended, in a sentence for `tph view`. */
function endedLong(run: Omit<RunJSON, "trace">): string {
  const r = run.run!;
  const code = r.exit_code === null ? "" : ` (exit code ${r.exit_code})`;
  switch (r.ended) {
    case "completed":
      // process.exitCode = 3: a normal end the program gave a failing code, not an error.
      return r.exit_code
        ? `completed with exit code ${r.exit_code} (no uncaught error)`
        : `completed${code}`;
    case "exit":
      return `exited early${code}`;
    case "exception":
      return `uncaught exception${r.error ? `: ${r.error}` : ""}${code}`;
    case "rejection":
      return `unhandled rejection${r.error ? `: ${r.error}` : ""}${code}`;
    case "signal":
      return `killed by ${r.signal ?? "a signal"}${code}`;
    default:
      return `${r.ended}${r.error ? `: ${r.error}` : ""}${code}`;
  }
}

/**
 * Where a run shows summaries instead of values, in one phrase, or null when it shows none: `26
 * objects shown as summaries ({…} after their class name) past the first 20 calls of each
 * function`.
 *
 * @param run The run's top-level fields.
 */
export function summarisedNote(run: Pick<RunJSON, "summarised" | "config">): string | null {
  const n = run.summarised ?? 0;
  if (n <= 0) return null;
  const budget = run.config?.details;
  const objects = `${n} object${n === 1 ? "" : "s"}`;
  const first = typeof budget === "number" ? budget : "few";
  // No class of the program's is named: `{…}` stands after each summarised object's own.
  return `${objects} shown as summaries ({…} after their class name) past the first ${first} ` +
    "calls of each function (tph run --details all shows every value)";
}

function limited(run: Omit<RunJSON, "trace">): string {
  if (!run.was_limited) return "no";
  const dropped = run.dropped_calls ?? 0;
  return `yes, by ${run.limit_reason ?? "limits"}: ${dropped} call${
    dropped === 1 ? "" : "s"
  } left out`;
}

/**
 * The `tph view` description of a run: when, label, command, runtime, working folder, how it
 * ended, duration, calls, limits, the configuration it ran with, and its root calls.
 *
 * @param run The run.
 * @param options Its id and file, the time zone, how many root calls to list.
 * @returns Aligned `key  value` lines, then the root calls; no trailing newline.
 *
 * @example
 * ```ts
 * import { renderRunSummary } from "./src/render/summary.ts";
 * declare const run: import("./src/types.ts").RunJSON;
 * console.log(renderRunSummary(run, { id: "20261122T081502_123_demo_3fa2c1" }));
 * ```
 */
export function renderRunSummary(run: RunJSON, options: RunSummaryOptions = {}): string {
  const rows: [string, string][] = [];
  if (options.id !== undefined) rows.push(["Run", options.id]);
  if (options.path !== undefined) rows.push(["File", options.path]);
  rows.push(["Time", formatTime(run.timestamp, options.timeZone)]);
  rows.push(["Label", run.label ?? "-"]);
  const r = run.run;
  if (r?.block) {
    rows.push(["Source", "a trace() block of the program below"]);
    rows.push(["Command", shellJoin(r.command)]);
    rows.push(["Runtime", `${r.runtime} ${r.runtime_version}`]);
    rows.push(["Cwd", r.cwd]);
    rows.push([
      "Ended",
      openAtEnd(r)
        ? `still open when the program ended: ${endedLong(run)}`
        : r.ended === "completed"
        ? "completed"
        : `threw${r.error ? `: ${r.error}` : ""}`,
    ]);
    rows.push(["Duration", formatDuration(r.duration_ms)]);
  } else if (r !== undefined) {
    rows.push(["Command", shellJoin(r.command)]);
    rows.push(["Runtime", `${r.runtime} ${r.runtime_version}`]);
    rows.push(["Cwd", r.cwd]);
    rows.push(["Ended", endedLong(run)]);
    rows.push(["Duration", formatDuration(r.duration_ms)]);
  } else rows.push(["Source", "a trace() block saved by the program (not tph run)"]);
  rows.push(["Calls", String(run.call_count)]);
  rows.push(["Limited", limited(run)]);
  const summarised = summarisedNote(run);
  if (summarised !== null) rows.push(["Summaries", summarised]);
  const c = run.config;
  if (c !== undefined) {
    const list = (xs: string[] | undefined) => JSON.stringify(xs ?? []).replaceAll('","', '", "');
    rows.push([
      "Config",
      LIMITS.filter(({ key }) => c[key] !== undefined).map(({ key }) => `${key}=${c[key]}`)
        .join(" "),
    ]);
    rows.push(["", `ignore_modules=${list(c.ignore_modules)}`]);
    rows.push(["", `include=${list(c.include)} exclude=${list(c.exclude)}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${safeText(v)}`);
  const max = options.maxRoots ?? 20;
  lines.push("", `Root calls (${run.trace.length}):`);
  if (run.trace.length === 0) lines.push("  (none recorded)");
  const shown = run.trace.slice(0, max).map((n) => {
    const time = n.elapsed_ms === null || n.unfinished
      ? "unfinished"
      : formatDuration(n.elapsed_ms);
    const calls = options.callsOf?.(n) ?? countCalls([n]);
    const notes = [time, `${calls} call${calls === 1 ? "" : "s"}`];
    if (n.exception !== undefined) notes.push(`!! ${safeText(n.exception.replace(/\r\n/g, "\n"))}`);
    return [`${n.async ? "async " : ""}${safeText(n.name)}()`, `[${notes.join(", ")}]`];
  });
  const nameWidth = Math.min(40, Math.max(0, ...shown.map(([name]) => name.length)));
  for (const [name, notes] of shown) lines.push(`  ${name.padEnd(nameWidth)}  ${notes}`);
  if (run.trace.length > max) lines.push(`  … ${run.trace.length - max} more`);
  return lines.join("\n");
}

/**
 * The `tph logs` table, in the order given (newest first), numbered from 1 as `tph view N` and
 * `tph tree N` take them.
 *
 * @param rows Runs with their ids.
 * @param options The time zone.
 * @returns Aligned columns `#  id  time  label  command  calls  size  limited  ended  options`
 * (what the run was made with that is not the default); no trailing newline.
 *
 * @example
 * ```ts
 * import { renderLogTable } from "./src/render/summary.ts";
 * declare const run: import("./src/types.ts").RunJSON;
 * console.log(renderLogTable([{ id: "20261122T081502_123_demo_3fa2c1", run }]));
 * ```
 */
export function renderLogTable(rows: LogRow[], options: SummaryOptions = {}): string {
  const table = [
    ["#", "id", "time", "label", "command", "calls", "size", "limited", "ended", "options"],
  ];
  rows.forEach(({ id, run, size, n }, i) => {
    table.push([
      String(n ?? i + 1),
      id,
      formatTime(run.timestamp, options.timeZone),
      run.label ?? "-",
      // A followed process's or worker's run, listed under the program that started it.
      (run.parent !== undefined ? (run.parent.kind === "worker" ? "└ worker " : "└ ") : "") +
      (run.run ? cut(shellJoin(run.run.command), COMMAND_WIDTH) : "-"),
      String(run.call_count),
      size === undefined ? "-" : formatSize(size),
      run.was_limited ? run.limit_reason ?? "yes" : "no",
      endedShort(run),
      cut(runOptions(run), OPTIONS_WIDTH),
    ]);
  });
  for (const row of table) row.forEach((cell, c) => row[c] = safeText(cell));
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const right = new Set([0, 5, 6]);
  return table.map((r) =>
    r.map((cell, c) => right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))
      .join("  ").trimEnd()
  ).join("\n");
}

/**
 * The runs of the processes and workers a run started (tph run followed them), and the run that
 * started it: beside the tree, one line each, with the ref that draws it.
 */
export function familyLines(meta: Omit<RunJSON, "trace">): string[] {
  const lines: string[] = [];
  const at = (call: number | null) => call === null ? "" : ` at call ${call + 1}`;
  const p = meta.parent;
  if (p !== undefined && typeof p.run === "string") {
    lines.push(`started by run ${safeText(p.run)}${at(p.call)}: tph tree ${safeText(p.run)}`);
  }
  const children = Array.isArray(meta.children) ? meta.children : [];
  for (const c of children) {
    const who = c.kind === "worker" ? `worker ${c.thread ?? "?"}` : `process ${c.pid ?? "?"}`;
    lines.push(
      c.run === null
        ? `${who} started${at(c.call)} ${
          meta.run?.request !== undefined
            ? "has no run stored (a request's are stored when the server ends)"
            : "left no run"
        }`
        : `${who} started${at(c.call)}: tph tree ${safeText(c.run)}`,
    );
  }
  return lines;
}
