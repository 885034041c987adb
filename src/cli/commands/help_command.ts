import { closest } from "../../config/closest.ts";
import type { Context } from "./command.ts";
import type { HELP_OPTIONS } from "./options.ts";
import { usageError } from "./errors.ts";
import { renderCommandHelp, renderHelp } from "./render_help.ts";

/** `tph help`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof HELP_OPTIONS>): number {
  const commands = ctx.commands;
  const topic = ctx.positionals[0];
  if (topic === undefined) {
    ctx.out(renderHelp(commands));
    return 0;
  }
  const cmd = commands.find((c) => c.name === topic);
  if (cmd === undefined) {
    const guess = closest(topic, commands.map((c) => c.name));
    throw usageError(
      `unknown command "${topic}"${guess === null ? "" : ` (did you mean "${guess}"?)`}`,
    );
  }
  ctx.out(renderCommandHelp(cmd));
  return 0;
}
