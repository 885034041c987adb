import { displayPath } from "../../platform/display_path.ts";
import { listRuns } from "../../store/list_runs.ts";
import { renderLogTable } from "../../render/summary.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { type Context, intOption } from "./command.ts";
import { DEFAULT_LOGS_LIMIT, type LOGS_OPTIONS } from "./options.ts";

/** `tph logs`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof LOGS_OPTIONS>): number {
  const limit = intOption(ctx.values.limit, "limit", "logs", 1) ?? DEFAULT_LOGS_LIMIT;
  const dir = cacheDirFor(ctx);
  const { entries, warnings } = listRuns(dir, { cwd: ctx.cwd });
  for (const w of warnings) ctx.warn(w);
  const numbered = entries.map((e, i) => ({ ...e, n: i + 1 }));
  const picked = ctx.values.failed
    ? numbered.filter((e) => {
      const outcome = e.run.run?.test?.outcome;
      return outcome === "failed" || outcome === "timed out";
    })
    : numbered;
  const shown = picked.slice(0, limit);
  if (ctx.values.json) {
    const rows = shown.map(({ id, path, size, run, n }) => ({
      n,
      id,
      path,
      size,
      ...run,
    }));
    ctx.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (shown.length === 0) {
    ctx.out(
      ctx.values.failed
        ? `No run of a failing test in ${displayPath(dir, ctx.cwd)}: tph test stores them`
        : `No runs in ${displayPath(dir, ctx.cwd)} yet. Record one with: tph run <script>`,
    );
    return 0;
  }
  ctx.out(renderLogTable(shown));
  const hidden = picked.length - shown.length;
  if (hidden > 0) {
    ctx.out(
      `(${hidden} older run${hidden === 1 ? "" : "s"} not shown: --limit ${picked.length})`,
    );
  }
  return 0;
}
