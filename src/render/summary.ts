import type { RunJSON } from "../types.ts";
import { formatDuration } from "./tree.ts";

/** One row of `tph logs`. */
export interface LogRow {
  id: string;
  run: RunJSON;
}

function ended(run: RunJSON): string {
  const r = run.run;
  if (r === undefined) return "-";
  if (r.signal) return `signal ${r.signal}`;
  if (r.ended === "completed") return `ok (${r.exit_code ?? 0})`;
  if (r.ended === "exception" || r.ended === "rejection") return `error (${r.exit_code})`;
  return `exit ${r.exit_code}`;
}

function localTime(iso: string): string {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function cut(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + "…" : text;
}

/**
 * The `tph logs` table, newest first as given.
 *
 * @param rows Runs with their ids.
 * @returns Aligned columns: #, id, time, label, command, calls, limited, ended.
 */
export function renderLogTable(rows: LogRow[]): string {
  const table = [["#", "id", "time", "label", "command", "calls", "limited", "ended"]];
  rows.forEach(({ id, run }, i) => {
    table.push([
      String(i + 1),
      id,
      localTime(run.timestamp),
      run.label ?? "-",
      cut(run.run ? run.run.command.join(" ") : "(library trace)", 40),
      String(run.call_count),
      run.was_limited ? `yes (${run.limit_reason})` : "no",
      ended(run),
    ]);
  });
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return table.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd())
    .join("\n");
}

/**
 * The `tph view` description of a run: when, what, how it ended, limits, config, root calls.
 *
 * @param run The run.
 * @param id Its id, when it is in the cache.
 * @returns Lines of `key: value`.
 */
export function renderRunSummary(run: RunJSON, id?: string): string {
  const lines: string[] = [];
  const add = (k: string, v: unknown) => lines.push(`${(k + ":").padEnd(14)}${v}`);
  if (id) add("run", id);
  add("time", `${localTime(run.timestamp)} (${run.timestamp})`);
  add("label", run.label ?? "-");
  const r = run.run;
  if (r) {
    add("command", r.command.join(" "));
    add("cwd", r.cwd);
    add("runtime", `${r.runtime} ${r.runtime_version}`);
    add(
      "ended",
      r.ended + (r.exit_code !== null ? `, exit code ${r.exit_code}` : "") +
        (r.signal ? `, signal ${r.signal}` : ""),
    );
    if (r.error) add("error", r.error);
    add("duration", formatDuration(r.duration_ms));
  }
  add("calls", run.call_count);
  add(
    "limited",
    run.was_limited ? `yes: ${run.limit_reason}, ${run.dropped_calls ?? "?"} calls left out` : "no",
  );
  const c = run.config;
  add(
    "config",
    `max_depth=${c.max_depth} max_calls=${c.max_calls} max_repr=${c.max_repr}` +
      (c.ignore_modules.length ? ` ignore_modules=${c.ignore_modules.join(",")}` : "") +
      (c.include.length ? ` include=${c.include.join(",")}` : "") +
      (c.exclude.length ? ` exclude=${c.exclude.join(",")}` : ""),
  );
  lines.push(`root calls:   ${run.trace.length}`);
  const shown = run.trace.slice(0, 20);
  for (const n of shown) {
    const time = n.elapsed_ms === null ? "unfinished" : formatDuration(n.elapsed_ms);
    lines.push(
      `  ${n.name}  ${n.module}:${n.line}  [${time}]${n.exception ? `  !! ${n.exception}` : ""}`,
    );
  }
  if (run.trace.length > shown.length) lines.push(`  … ${run.trace.length - shown.length} more`);
  return lines.join("\n");
}
