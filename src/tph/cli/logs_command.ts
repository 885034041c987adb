import { displayPath } from "../store/display_path.ts";
import { listRuns } from "../store/list_runs.ts";
import { renderLogTable } from "../../render/summary.ts";
import { CACHE_DIR_OPTION, cacheDirFor } from "./cache_dir_for.ts";
import { type Command, intOption } from "./command.ts";

const DEFAULT_LIMIT = 50;

/** `tph logs`: the stored runs, newest first, as a table or JSON. */
export const logsCommand: Command = {
  name: "logs",
  summary: "list stored runs, newest first",
  usage: "logs [--limit N] [--json] [--cache-dir DIR]",
  details: [
    "The # column numbers runs as tph view N and tph tree N take them (1 = newest); size is",
    "the run file's (kB and MB of 1000).",
    "Files in the cache folder that are not tph runs are skipped with a warning.",
  ],
  examples: ["tph logs", "tph logs --limit 5", "tph logs --json"],
  options: {
    limit: { type: "string", arg: "N", help: `show at most N runs (default ${DEFAULT_LIMIT})` },
    json: {
      type: "boolean",
      help: "print a JSON array (every field of each run but its trace, plus n, id, path and " +
        "size in bytes)",
    },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [0, 0],
  run(ctx) {
    const limit = intOption(ctx.values.limit, "limit", "logs", 1) ?? DEFAULT_LIMIT;
    const dir = cacheDirFor(ctx);
    const { entries, warnings } = listRuns(dir, { cwd: ctx.cwd });
    for (const w of warnings) ctx.warn(w);
    const shown = entries.slice(0, limit);
    if (ctx.values.json) {
      const rows = shown.map(({ id, path, size, run }, i) => ({
        n: i + 1,
        id,
        path,
        size,
        ...run,
      }));
      ctx.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (shown.length === 0) {
      ctx.out(`No runs in ${displayPath(dir, ctx.cwd)} yet. Record one with: tph run <script>`);
      return 0;
    }
    ctx.out(renderLogTable(shown));
    const hidden = entries.length - shown.length;
    if (hidden > 0) {
      ctx.out(
        `(${hidden} older run${hidden === 1 ? "" : "s"} not shown: --limit ${entries.length})`,
      );
    }
    return 0;
  },
};
