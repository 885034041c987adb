import { parseArgs } from "node:util";
import { closest } from "../config/closest.ts";
import type { Command, Context, OptionSpec } from "./command.ts";
import { usageError } from "./errors.ts";

/** What {@linkcode parseCommandLine} returns. */
export interface ParsedCommandLine {
  /** Option values by long name; `help` is true for `-h`/`--help`. */
  values: Context["values"];
  /** Positional arguments (for `stopAtFirstPositional` commands: the first one and all after). */
  positionals: string[];
}

/** Every command takes `-h`/`--help`. */
export const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", help: "show this help" };

type ParseArgsOptions = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

function parseOptions(cmd: Command): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const [name, o] of Object.entries({ ...cmd.options, help: HELP_OPTION })) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

function tokenize(args: string[], options: ParseArgsOptions) {
  // Not strict: unknown options come back as tokens, and the messages below are tph's own, the
  // same on Deno and Bun (their strict-mode messages differ).
  return parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
}

/**
 * Parse a command's arguments against its option table. Unknown options, string options without
 * a value and boolean options with one are usage errors that name the option and the command.
 *
 * @param cmd The command.
 * @param argv The arguments after the command name.
 * @returns Option values and positionals.
 * @throws {CliError} Code 2, e.g. `unknown option "--foo" for "tree" (did you mean "--filter"?)`.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./src/tph/cli/parse_command_line.ts";
 * import { treeCommand } from "./src/tph/cli/tree.ts";
 * const { values, positionals } = parseCommandLine(treeCommand, ["last", "--max-depth", "3"]);
 * console.log(values["max-depth"], positionals); // 3 [ "last" ]
 * ```
 */
export function parseCommandLine(cmd: Command, argv: string[]): ParsedCommandLine {
  const options = parseOptions(cmd);
  let args = argv;
  let rest: string[] = [];
  if (cmd.stopAtFirstPositional) {
    const first = tokenize(argv, options).tokens.find((t) =>
      t.kind === "positional" || t.kind === "option-terminator"
    );
    if (first !== undefined) {
      args = argv.slice(0, first.index);
      rest = argv.slice(first.kind === "option-terminator" ? first.index + 1 : first.index);
    }
  }
  const { values, positionals, tokens } = tokenize(args, options);
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = options[t.name];
    const known = spec !== undefined &&
      (t.rawName.startsWith("--") ? t.rawName === `--${t.name}` : spec.short === t.rawName[1]);
    if (!known) {
      const guess = t.rawName.startsWith("--")
        ? closest(t.rawName.slice(2), Object.keys(options))
        : null;
      throw usageError(
        `unknown option "${t.rawName}" for "${cmd.name}"` +
          (guess === null ? "" : ` (did you mean "--${guess}"?)`),
        cmd.name,
      );
    }
    if (spec.type === "string" && t.value === undefined) {
      throw usageError(`option "${t.rawName}" needs a value`, cmd.name);
    }
    if (spec.type === "boolean" && t.inlineValue) {
      throw usageError(`option "${t.rawName}" takes no value`, cmd.name);
    }
  }
  return { values: values as Context["values"], positionals: [...positionals, ...rest] };
}
