import { closest } from "../config/closest.ts";
import type { Command } from "./command.ts";
import { usageError } from "./errors.ts";
import { renderCommandHelp, renderHelp } from "./render_help.ts";

/** `tph help [command]`: the overview, or one command's usage and options. */
export const helpCommand: Command = {
  name: "help",
  summary: "show help for tph or for one command",
  usage: "help [command]",
  examples: ["tph help", "tph help tree"],
  options: {},
  positionals: [0, 1],
  run(ctx) {
    const commands = ctx.commands ?? [];
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
  },
};
