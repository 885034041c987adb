import { basename } from "node:path";
import { familyLines, renderRunSummary } from "../../render/summary.ts";
import { displayPath } from "../../platform/display_path.ts";
import { runIdOf } from "../../store/list_runs.ts";
import { openRun } from "../../run_file/decode.ts";
import type { CallNodeJSON } from "../../types.ts";
import { resolveRunRef } from "../../store/resolve_run_ref.ts";
import { countCalls } from "../../render/tree.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { type Context, intOption } from "./command.ts";
import type { VIEW_OPTIONS } from "./options.ts";
import { usageError } from "./errors.ts";

/** `tph view`'s work: its options and help are in the command table (commands.ts). */
export async function run(ctx: Context<typeof VIEW_OPTIONS>): Promise<number> {
  const html = ctx.values.html === true;
  for (const only of ["output", "open", "filter", "max-depth"] as const) {
    if (!html && ctx.values[only] !== undefined) {
      throw usageError(`--${only} goes with --html`, "view");
    }
  }
  if (html && ctx.values.json) throw usageError("either --json or --html, not both", "view");
  const filter = ctx.values.filter;
  if (filter === "") throw usageError("--filter needs a name to look for", "view");
  const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "view", 1);
  const path = resolveRunRef(ctx.positionals[0], cacheDirFor(ctx), {
    cwd: ctx.cwd,
    warn: (m) => ctx.warn(m),
  });
  if (html) {
    // Loaded when asked for: the page's writer and viewer are nothing to the other commands.
    const { writePage } = await import("./view_html.ts");
    return await writePage(ctx, path, { filter, maxDepth });
  }
  // The root calls and how many calls each holds: the calls below them are not read.
  const file = openRun(path, { cwd: ctx.cwd });
  let meta, trace, cut;
  try {
    meta = file.meta;
    ({ roots: trace, cut } = file.tree(1));
  } finally {
    file.close();
  }
  const callsOf = (n: CallNodeJSON) => 1 + (cut.get(n)?.calls ?? countCalls(n.children));
  const id = runIdOf(basename(path));
  if (ctx.values.json) {
    const roots = trace.map((n) => ({
      name: n.name,
      module: n.module,
      elapsed_ms: n.elapsed_ms,
      calls: callsOf(n),
      ...(n.exception !== undefined ? { exception: n.exception } : {}),
    }));
    ctx.out(JSON.stringify({ id, path, ...meta, roots }, null, 2));
    return 0;
  }
  ctx.out(
    renderRunSummary({ ...meta, trace }, { id, path: displayPath(path, ctx.cwd), callsOf }),
  );
  // The runs of the processes and workers it started, and the run that started it.
  const family = familyLines(meta);
  if (family.length > 0) ctx.out(family.join("\n"));
  return 0;
}
