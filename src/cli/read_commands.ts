// The commands that read stored runs and the configuration: logs, view, tree, config.

import { dirname, join, relative } from "node:path";
import { renderConfig } from "../config/render_config.ts";
import { renderLogTable, renderRunSummary } from "../render/summary.ts";
import { renderTree } from "../render/tree.ts";
import { findProjectRoot } from "../store/project_root.ts";
import { CACHE_DIR_NAME, listRuns, loadRun, resolveRunRef } from "../store/runs.ts";
import { type Command, type Context, intOption } from "./command.ts";
import { usageError } from "./errors.ts";

const CACHE_DIR_OPTION = {
  type: "string",
  arg: "DIR",
  help:
    "the run cache folder (default: cache_dir from config, else .tracepatch_cache at the project root)",
} as const;

/** The cache folder a read command looks in. */
export function cacheDirFor(ctx: Context): string {
  const flag = ctx.values["cache-dir"];
  if (typeof flag === "string") return join(ctx.cwd, flag).replace(/\/$/, "");
  return ctx.config().config.cache_dir ?? join(findProjectRoot(ctx.cwd), CACHE_DIR_NAME);
}

function runIdOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).replace(/^run_/, "").replace(/\.json$/, "");
}

export const logsCommand: Command = {
  name: "logs",
  summary: "list stored runs, newest first",
  usage: "logs [--limit N] [--json] [--cache-dir DIR]",
  options: {
    limit: { type: "string", arg: "N", help: "show at most N runs (default 50)" },
    json: { type: "boolean", help: "print a JSON array instead of a table" },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [0, 0],
  run(ctx) {
    const limit = intOption(ctx.values.limit, "limit", "logs") ?? 50;
    const dir = cacheDirFor(ctx);
    const { entries, warnings } = listRuns(dir);
    for (const w of warnings) ctx.err(`tph: warning: ${w}`);
    const shown = entries.slice(0, limit);
    if (ctx.values.json) {
      ctx.out(JSON.stringify(
        shown.map(({ id, path, run }, i) => {
          const { trace: _trace, ...meta } = run;
          return { n: i + 1, id, path, ...meta };
        }),
        null,
        2,
      ));
      return 0;
    }
    if (shown.length === 0) {
      ctx.out(`No runs in ${relative(ctx.cwd, dir) || dir} yet. Record one with: tph run <script>`);
      return 0;
    }
    ctx.out(renderLogTable(shown));
    if (entries.length > shown.length) {
      ctx.out(`(${entries.length - shown.length} older runs not shown; --limit ${entries.length})`);
    }
    return 0;
  },
};

export const viewCommand: Command = {
  name: "view",
  summary: "describe a stored run: time, command, how it ended, calls, limits, config",
  usage: "view <run> [--json] [--cache-dir DIR]",
  options: {
    json: { type: "boolean", help: "print the run's metadata as JSON (without the call tree)" },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  run(ctx) {
    const path = resolveRunRef(ctx.positionals[0], cacheDirFor(ctx));
    const run = loadRun(path);
    if (ctx.values.json) {
      const { trace, ...meta } = run;
      ctx.out(JSON.stringify(
        {
          id: runIdOf(path),
          path,
          ...meta,
          roots: trace.map((n) => ({ name: n.name, module: n.module, elapsed_ms: n.elapsed_ms })),
        },
        null,
        2,
      ));
    } else ctx.out(renderRunSummary(run, runIdOf(path)));
    return 0;
  },
};

export const treeCommand: Command = {
  name: "tree",
  summary: "draw a stored run's call tree",
  usage: "tree <run> [--max-depth N] [--no-args] [--no-return] [--style ascii|unicode] " +
    "[--filter NAME] [--cache-dir DIR]",
  options: {
    "max-depth": { type: "string", arg: "N", help: "draw N levels, sum up the rest" },
    "no-args": { type: "boolean", help: "hide arguments" },
    "no-return": { type: "boolean", help: "hide return values" },
    style: {
      type: "string",
      arg: "STYLE",
      help: "connectors: ascii or unicode (config: tree_style)",
    },
    filter: {
      type: "string",
      arg: "NAME",
      help: "only calls whose name contains NAME, with their callers",
    },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  run(ctx) {
    const style = ctx.values.style ?? ctx.config().config.tree_style;
    if (style !== "ascii" && style !== "unicode") {
      throw usageError(`--style takes ascii or unicode, got "${style}"`, "tree");
    }
    const cfg = ctx.config().config;
    const run = loadRun(resolveRunRef(ctx.positionals[0], cacheDirFor(ctx)));
    const text = renderTree(run.trace, {
      style,
      maxDepth: intOption(ctx.values["max-depth"], "max-depth", "tree"),
      showArgs: ctx.values["no-args"] ? false : cfg.show_args,
      showReturn: ctx.values["no-return"] ? false : cfg.show_return,
      filter: ctx.values.filter as string | undefined,
      color: ctx.color,
    });
    ctx.out(
      text ||
        (ctx.values.filter ? `No call matches "${ctx.values.filter}".` : "No calls recorded."),
    );
    if (run.was_limited) {
      ctx.err(
        `tph: this run was limited (${run.limit_reason}): ${run.dropped_calls} calls left out`,
      );
    }
    return 0;
  },
};

export const configCommand: Command = {
  name: "config",
  summary: "show where the configuration comes from and every effective value",
  usage: "config [--file PATH]",
  options: { file: { type: "string", arg: "PATH", help: "read this file instead of searching" } },
  positionals: [0, 0],
  run(ctx) {
    const loaded = ctx.config();
    for (const w of loaded.warnings) ctx.err(`tph: warning: ${w}`);
    ctx.out(renderConfig(loaded, dirname(ctx.cwd) === ctx.cwd ? ctx.cwd : ctx.cwd));
    return 0;
  },
};
