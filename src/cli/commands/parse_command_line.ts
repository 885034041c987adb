import { closest } from "../../config/closest.ts";
import { HELP_OPTION, parseArgv, type ParsedArgv } from "../argv.ts";
import type { Command, Context } from "./command.ts";
import { usageError } from "./errors.ts";

/** What {@linkcode parseCommandLine} returns. */
export interface ParsedCommandLine {
  /** Option values by long name; `help` is true for `-h`/`--help`. */
  values: Context["values"] & { help?: boolean };
  /** Positional arguments (for `stopAtFirstPositional` commands: the first one and all after). */
  positionals: string[];
}

/**
 * Parse a command's arguments against its option table. Unknown options, string options without
 * a value and boolean options with one are usage errors that name the option and the command.
 *
 * @param cmd The command.
 * @param argv The arguments after the command name.
 * @param parsed They, parsed already (by `tph run`'s head start): not parsed twice.
 * @returns Option values and positionals.
 * @throws {CliError} Code 2, e.g. `unknown option "--foo" for "tree" (did you mean "--filter"?)`.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./src/cli/commands/parse_command_line.ts";
 * import { treeCommand } from "./src/cli/commands/commands.ts";
 * const { values, positionals } = parseCommandLine(treeCommand, ["last", "--max-depth", "3"]);
 * console.log(values["max-depth"], positionals); // 3 [ "last" ]
 * ```
 */
export function parseCommandLine(
  cmd: Command,
  argv: string[],
  parsed: ParsedArgv = parseArgv(
    { ...cmd.options, help: HELP_OPTION },
    argv,
    cmd.stopAtFirstPositional,
  ),
): ParsedCommandLine {
  const { positionals, problem } = parsed;
  // Parsed against the command's own options: each value has the type its spec gives it.
  const values = parsed.values as ParsedCommandLine["values"];
  if (problem === null) return { values, positionals };
  const name = problem.rawName;
  if (problem.kind === "unknown") {
    const guess = name.startsWith("--")
      ? closest(name.slice(2), Object.keys({ ...cmd.options, help: HELP_OPTION }))
      : null;
    throw usageError(
      `unknown option "${name}" for "${cmd.name}"` +
        (guess === null ? "" : ` (did you mean "--${guess}"?)`),
      cmd.name,
    );
  }
  throw usageError(
    problem.kind === "needs-value"
      ? `option "${name}" needs a value`
      : `option "${name}" takes no value`,
    cmd.name,
  );
}
