import { renderTree, type TreeOptions } from "../../render/tree.ts";
import { openRun } from "../store/run_reader.ts";
import { drawRun, READER_GONE } from "./draw_run.ts";
import { resolveRunRef } from "../store/resolve_run_ref.ts";
import { CACHE_DIR_OPTION, cacheDirFor } from "./cache_dir_for.ts";
import { type Command, type Context, intOption } from "./command.ts";
import { CliError, usageError } from "./errors.ts";
import { readConfig } from "./read_config.ts";

/** A shown/hidden switch from a pair of flags, else the config's value. */
function toggle(ctx: Context, on: string, off: string, fallback: boolean): boolean {
  if (ctx.values[on] && ctx.values[off]) {
    throw usageError(`--${on} and --${off} cannot be used together`, "tree");
  }
  return ctx.values[on] ? true : ctx.values[off] ? false : fallback;
}

/** `tph tree <run>`: a stored run's call tree. */
export const treeCommand: Command = {
  name: "tree",
  summary: "draw a stored run's call tree",
  usage: "tree <run> [--max-depth N] [--no-args] [--no-return] [--style ascii|unicode] " +
    "[--filter NAME] [--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), or a run id or a",
    "unique prefix of one. Errors show as !! Error: message, external calls as [ext], calls",
    "open when the run ended as [unfinished]; a line counts the calls limits left out.",
    "Defaults come from the config (tree_style, show_args, show_return); flags override it.",
  ],
  examples: [
    "tph tree last",
    "tph tree 2 --max-depth 3 --no-args",
    "tph tree last --filter fetchUser --style ascii",
  ],
  options: {
    "max-depth": { type: "string", arg: "N", help: "draw N levels, sum up the calls below" },
    "show-args": { type: "boolean", help: "show arguments (config: show_args)" },
    "no-args": { type: "boolean", help: "hide arguments" },
    "show-return": { type: "boolean", help: "show return values (config: show_return)" },
    "no-return": { type: "boolean", help: "hide return values" },
    style: {
      type: "string",
      arg: "STYLE",
      help: "connectors: ascii or unicode (config: tree_style)",
    },
    filter: {
      type: "string",
      arg: "NAME",
      help: "only calls whose name contains NAME, with their callers and callees",
    },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  run(ctx) {
    const cfg = readConfig(ctx);
    const style = ctx.values.style ?? cfg.tree_style;
    if (style !== "ascii" && style !== "unicode") {
      throw usageError(`--style takes ascii or unicode, got "${style}"`, "tree");
    }
    const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "tree", 1);
    const showArgs = toggle(ctx, "show-args", "no-args", cfg.show_args);
    const showReturn = toggle(ctx, "show-return", "no-return", cfg.show_return);
    const filter = ctx.values.filter as string | undefined;
    if (filter === "") throw usageError("--filter needs a name to look for", "tree");
    const ref = ctx.positionals[0];
    const file = openRun(resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd }), { cwd: ctx.cwd });
    const options: TreeOptions = {
      style,
      maxDepth,
      showArgs,
      showReturn,
      filter,
      color: ctx.color,
      limitReason: file.meta.limit_reason,
    };
    let text: string;
    try {
      // A run in tph's format is drawn as it is read (a filter reads the calls' names first).
      if (file.scan !== null && file.records > 0) {
        let drawn = true;
        try {
          drawn = drawRun(file, options, ctx.outBytes);
        } catch (e) {
          if (e !== READER_GONE) throw e;
        }
        if (!drawn) {
          throw new CliError(`No call in run "${ref}" has a name containing "${filter}"`, 1);
        }
        return 0;
      }
      // Read down to the depth drawn.
      const tree = file.tree(filter === undefined ? maxDepth : undefined);
      options.rootDropped = Math.max(0, (file.meta.dropped_calls ?? 0) - tree.droppedUnderCalls);
      options.cut = tree.cut;
      text = renderTree(tree.roots, options);
    } finally {
      file.close();
    }
    if (text === "" && filter !== undefined) {
      throw new CliError(`No call in run "${ref}" has a name containing "${filter}"`, 1);
    }
    ctx.out(text === "" ? "(no calls recorded)" : text);
    return 0;
  },
};
