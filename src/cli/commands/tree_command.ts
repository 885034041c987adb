import { treeWidth } from "./tree_width.ts";
import type { TreeOptions } from "../../render/tree.ts";
import { drawCalls, LineWriter, readerGone } from "../../render/draw_calls.ts";
import { openRun } from "../../run_file/decode.ts";
import { resolveRunRef } from "../../store/resolve_run_ref.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { type Context, intOption } from "./command.ts";
import type { TREE_OPTIONS } from "./options.ts";
import { CliError, usageError } from "./errors.ts";
import { readConfig } from "./read_config.ts";
import { familyLines, summarisedNote } from "../../render/summary.ts";

/** A shown/hidden switch from a pair of flags, else the config's value. */
function toggle(
  ctx: Context<typeof TREE_OPTIONS>,
  on: "show-args" | "show-return",
  off: "no-args" | "no-return",
  fallback: boolean,
): boolean {
  if (ctx.values[on] && ctx.values[off]) {
    throw usageError(`--${on} and --${off} cannot be used together`, "tree");
  }
  return ctx.values[on] ? true : ctx.values[off] ? false : fallback;
}

/** `tph tree`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof TREE_OPTIONS>): number {
  const cfg = readConfig(ctx);
  const style = ctx.values.style ?? cfg.tree_style;
  if (style !== "ascii" && style !== "unicode") {
    throw usageError(`--style takes ascii or unicode, got "${style}"`, "tree");
  }
  const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "tree", 1);
  const showArgs = toggle(ctx, "show-args", "no-args", cfg.show_args);
  const showReturn = toggle(ctx, "show-return", "no-return", cfg.show_return);
  const filter = ctx.values.filter;
  if (filter === "") throw usageError("--filter needs a name to look for", "tree");
  const ref = ctx.positionals[0];
  const file = openRun(
    resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd, warn: (m) => ctx.warn(m) }),
    { cwd: ctx.cwd },
  );
  const options: TreeOptions = {
    style,
    maxDepth,
    showArgs,
    showReturn,
    filter,
    color: ctx.color,
    limitReason: file.meta.limit_reason,
    width: treeWidth(ctx, ctx.terminal === true),
  };
  // Drawn as it is read (a filter reads the calls' names first).
  const w = new LineWriter(ctx.outBytes);
  let drawn = false;
  try {
    options.rootDropped = file.droppedAtRoot;
    if (!drawCalls(file, options, w)) {
      throw new CliError(`No call in run "${ref}" has a name containing "${filter}"`, 1);
    }
    drawn = true;
  } catch (e) {
    if (e !== readerGone()) throw e;
  } finally {
    file.close();
  }
  if (w.lines === 0) ctx.out("(no calls recorded)");
  // Where values read as summaries: said beside the tree, not in it (its lines may be parsed).
  const note = drawn && showArgs ? summarisedNote(file.meta) : null;
  if (note !== null) ctx.err(`tph: ${note}`);
  if (drawn) { for (const line of familyLines(file.meta)) ctx.err(`tph: ${line}`); }
  return 0;
}
