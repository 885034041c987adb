import type { Context } from "./command.ts";
import type { COMPLETION_OPTIONS } from "./options.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { usageError } from "./errors.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { listRuns } from "../../store/list_runs.ts";

/** `tph completion`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof COMPLETION_OPTIONS>): number {
  if (ctx.positionals[0] === "runs") return runRefs(ctx);
  const shell = SHELLS.find((s) => s === ctx.positionals[0]);
  if (shell === undefined) {
    throw usageError(
      `completion takes bash, zsh, fish or runs, got "${ctx.positionals[0]}"`,
      "completion",
    );
  }
  ctx.out(completionScript(shell, ctx.commands).trimEnd());
  return 0;
}

/**
 * What the scripts complete a run with, one a line: `last`, then the stored runs' ids, newest
 * first. Nothing but `last` where there is no cache; a cache that cannot be read lists no id.
 */
function runRefs(ctx: Context<typeof COMPLETION_OPTIONS>): number {
  let ids: string[] = [];
  try {
    ids = listRuns(cacheDirFor(ctx), { cwd: ctx.cwd }).entries.map((e) => e.id);
  } catch {
    // Completion offers what it can: a shell's completion never prints an error.
  }
  // Ids are made of plain characters (list_runs.ts): one a line, for any shell.
  ctx.out(["last", ...ids.filter((id) => /^[\w.-]+$/.test(id))].join("\n"));
  return 0;
}
