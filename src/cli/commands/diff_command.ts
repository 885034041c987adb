import { basename } from "node:path";
import { ConfigError } from "../../config/config_error.ts";
import {
  type CallTable,
  type CompareOptions,
  Identities,
  loadCallTable,
} from "../diff/call_table.ts";
import { type DiffEntry, type DiffOptions, diffRuns } from "../diff/diff_runs.ts";
import { profileDiff } from "../diff/profile_diff.ts";
import { count, renderDiff, summaryLine } from "../diff/render_diff.ts";
import { formatDuration } from "../../render/tree.ts";
import { safeText } from "../../render/safe_text.ts";
import { runIdOf } from "../../store/list_runs.ts";
import { resolveRunRef } from "../../store/resolve_run_ref.ts";
import { openRun, type RunFile } from "../../run_file/decode.ts";
import { StoreError } from "../../run_file/store_error.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { type Context, intOption } from "./command.ts";
import type { DIFF_OPTIONS } from "./options.ts";
import { CliError, usageError } from "./errors.ts";
import { readConfig } from "./read_config.ts";

/** A diff's trouble (a run that cannot be read, a bad option's value): exit 2, as diff(1). */
const trouble = (message: string) => new CliError(message, 2, "diff", false);

/** The options' values, checked. */
function options(
  ctx: Context<typeof DIFF_OPTIONS>,
): DiffOptions & CompareOptions & { context: number } {
  const v = ctx.values;
  let ignoreValues: RegExp | null = null;
  if (typeof v["ignore-values"] === "string") {
    try {
      ignoreValues = new RegExp(v["ignore-values"], "g");
    } catch (e) {
      throw usageError(
        `--ignore-values takes a regular expression: ${(e as Error).message}`,
        "diff",
      );
    }
  }
  let timing: DiffOptions["timing"] = null;
  if (v.timing !== undefined) {
    const ratio = v.timing === true ? 2 : Number(v.timing);
    if (!(ratio > 1) || !Number.isFinite(ratio)) {
      throw usageError(`--timing takes a ratio above 1 (--timing=1.5), got "${v.timing}"`, "diff");
    }
    timing = { ratio, minMs: 1 };
  }
  const filter = v.filter;
  if (filter === "") throw usageError("--filter needs a name to look for", "diff");
  const ignore = v.ignore ?? [];
  if (ignore.some((x) => x === "")) throw usageError("--ignore needs a function name", "diff");
  return {
    ignoreArgs: v["ignore-args"] === true,
    ignoreReturn: v["ignore-return"] === true,
    ignoreValues,
    exact: v.exact === true,
    ignore,
    filter: filter ?? null,
    maxDepth: intOption(v["max-depth"], "max-depth", "diff", 1) ?? Infinity,
    unordered: v.unordered === true,
    timing,
    context: intOption(v.context, "context", "diff", 0) ?? 1,
  };
}

/** The run info `--json` gives for each side. */
function runInfo(path: string, file: RunFile) {
  const m = file.meta;
  return {
    id: runIdOf(basename(path)),
    path,
    label: m.label,
    timestamp: m.timestamp,
    call_count: m.call_count,
    dropped_calls: m.dropped_calls,
    command: m.run?.command ?? null,
    runtime: m.run?.runtime ?? null,
  };
}

/** `tph diff`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof DIFF_OPTIONS>): number {
  const o = options(ctx);
  const style = ctx.values.style ?? readConfig(ctx).tree_style;
  if (style !== "ascii" && style !== "unicode") {
    throw usageError(`--style takes ascii or unicode, got "${style}"`, "diff");
  }
  const refs = ctx.positionals.length === 0
    ? ["2", "1"]
    : ctx.positionals.length === 1
    ? [ctx.positionals[0], "1"]
    : ctx.positionals;
  const files: RunFile[] = [];
  const paths: string[] = [];
  try {
    const ids = new Identities();
    const tables = refs.map((ref) => {
      const path = resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd, warn: (m) => ctx.warn(m) });
      const file = openRun(path, { cwd: ctx.cwd });
      files.push(file);
      paths.push(path);
      return loadCallTable(file, ids, o);
    });
    const [a, b] = tables;
    const d = diffRuns(a, b, o);
    if (!d.anyInScope) {
      throw trouble(`No call in either run has a name containing "${o.filter}"`);
    }
    const s = d.summary;
    const differs = s.changed + s.added + s.removed > 0;
    if (ctx.values.summary) {
      // The exit code says whether the runs differ call by call, as without --summary.
      const lines = profileDiff(a, b, ids);
      if (ctx.values.json) {
        ctx.out(JSON.stringify(
          {
            a: runInfo(paths[0], files[0]),
            b: runInfo(paths[1], files[1]),
            summary: s,
            functions: lines.map((l) => ({
              name: l.name,
              module: l.module,
              a: { calls: l.a.calls, total_ms: l.a.total / 1000, self_ms: l.a.self / 1000 },
              b: { calls: l.b.calls, total_ms: l.b.total / 1000, self_ms: l.b.self / 1000 },
            })),
          },
          null,
          2,
        ));
      } else ctx.out(renderProfile(lines) + "\n" + summaryLine(d));
      return differs ? 1 : 0;
    }
    if (ctx.values.json) {
      ctx.out(JSON.stringify(
        {
          a: runInfo(paths[0], files[0]),
          b: runInfo(paths[1], files[1]),
          summary: s,
          changes: changes(d.roots, a, b),
        },
        null,
        2,
      ));
    } else if (!differs) ctx.out(`No differences: ${summaryLine(d)}`);
    else ctx.out(renderDiff(d, a, b, { context: o.context, color: ctx.color, style }).join("\n"));
    return differs ? 1 : 0;
  } catch (e) {
    if (e instanceof StoreError || e instanceof ConfigError) throw trouble(e.message);
    throw e;
  } finally {
    for (const f of files) f.close();
  }
}

/** `--json`'s changes: each difference with the names of the calls leading to it. */
function changes(
  roots: DiffEntry[],
  a: CallTable,
  b: CallTable,
) {
  const out: unknown[] = [];
  const stack: [DiffEntry, string[]][] = roots.map((e) => [e, []] as [DiffEntry, string[]])
    .reverse();
  while (stack.length > 0) {
    const [e, path] = stack.pop()!;
    if (!e.differs) continue;
    const name = e.b >= 0 ? b.name(e.b) : a.name(e.a);
    const here = [...path, name];
    if (e.op === "added" || e.op === "removed") {
      const t = e.op === "added" ? b : a;
      const i = e.op === "added" ? e.b : e.a;
      out.push({
        kind: e.op,
        path: here,
        fields: [],
        a: e.op === "removed" ? a.call(i) : null,
        b: e.op === "added" ? b.call(i) : null,
        calls: t.desc[i] + 1,
      });
      continue;
    }
    if (e.fields.length > 0) {
      out.push({ kind: "changed", path: here, fields: e.fields, a: a.call(e.a), b: b.call(e.b) });
    }
    if (e.children !== null) {
      for (let k = e.children.length - 1; k >= 0; k--) stack.push([e.children[k], here]);
    }
  }
  return out;
}

/** The profile diff as a table. */
function renderProfile(lines: ReturnType<typeof profileDiff>): string {
  const t = (us: number) => formatDuration(us / 1000);
  const sign = (us: number) => (us >= 0 ? "+" : "-") + t(Math.abs(us));
  const rows = lines.map((l) => [
    safeText(l.name),
    l.a.calls === l.b.calls ? count(l.b.calls) : `${count(l.a.calls)} → ${count(l.b.calls)}`,
    `${t(l.a.total)} → ${t(l.b.total)}`,
    sign(l.b.total - l.a.total),
    `${t(l.a.self)} → ${t(l.b.self)}`,
  ]);
  const head = ["function", "calls", "total", "change", "self"];
  const width = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((x, k) => x.padEnd(width[k])).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}
