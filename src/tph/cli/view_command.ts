import { basename } from "node:path";
import { renderRunSummary } from "../../render/summary.ts";
import { displayPath } from "../store/display_path.ts";
import { runIdOf } from "../store/list_runs.ts";
import { openRun } from "../store/run_reader.ts";
import type { CallNodeJSON } from "../../types.ts";
import { resolveRunRef } from "../store/resolve_run_ref.ts";
import { countCalls } from "../../render/tree.ts";
import { CACHE_DIR_OPTION, cacheDirFor } from "./cache_dir_for.ts";
import { type Command, intOption } from "./command.ts";
import { usageError } from "./errors.ts";

/** `tph view <run>`: what a stored run was, without its call tree. */
export const viewCommand: Command = {
  name: "view",
  summary:
    "describe a stored run (time, command, how it ended, calls, limits), or write it as a web page",
  usage: "view <run> [--json] [--html [-o FILE] [--open] [--filter NAME] [--max-depth N]] " +
    "[--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), or a run id or a",
    "unique prefix of one. --html writes the run as one web page that works offline (no",
    "server, no network): the call tree, a flame chart, search, a table of functions. It goes",
    "beside the run (run_….html) or to FILE; --open opens it in the system's browser.",
  ],
  examples: [
    "tph view last",
    "tph view 2",
    "tph view 20261122T0815 --json",
    "tph view last --html --open",
  ],
  options: {
    json: {
      type: "boolean",
      help: "print one JSON object: every field but the trace, plus id, path and roots",
    },
    html: { type: "boolean", help: "write the run as one offline web page" },
    output: { type: "string", short: "o", arg: "FILE", help: "with --html: the page's file" },
    open: { type: "boolean", help: "with --html: open the page in the system's browser" },
    filter: {
      type: "string",
      arg: "NAME",
      help: "with --html: only calls whose name contains NAME, with the calls leading to them",
    },
    "max-depth": { type: "string", arg: "N", help: "with --html: only N levels of calls" },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  async run(ctx) {
    const html = ctx.values.html === true;
    for (const only of ["output", "open", "filter", "max-depth"]) {
      if (!html && ctx.values[only] !== undefined) {
        throw usageError(`--${only} goes with --html`, "view");
      }
    }
    if (html && ctx.values.json) throw usageError("either --json or --html, not both", "view");
    const filter = ctx.values.filter as string | undefined;
    if (filter === "") throw usageError("--filter needs a name to look for", "view");
    const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "view", 1);
    const path = resolveRunRef(ctx.positionals[0], cacheDirFor(ctx), { cwd: ctx.cwd });
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
    return 0;
  },
};
