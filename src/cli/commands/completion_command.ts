import type { Context } from "./command.ts";
import type { COMPLETION_OPTIONS } from "./options.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { usageError } from "./errors.ts";

/** `tph completion`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof COMPLETION_OPTIONS>): number {
  const shell = SHELLS.find((s) => s === ctx.positionals[0]);
  if (shell === undefined) {
    throw usageError(
      `completion takes bash, zsh or fish, got "${ctx.positionals[0]}"`,
      "completion",
    );
  }
  ctx.out(completionScript(shell, ctx.commands).trimEnd());
  return 0;
}
