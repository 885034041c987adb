import type { LoadedConfig, TphConfig } from "../../config/load_config.ts";
import { configValueProblem } from "../../config/validate_config.ts";
import { usageError } from "./errors.ts";

import type { OptionSpec, OptionValues } from "../argv.ts";
export type { OptionSpec };

/** A command's options by long name. */
export type Options = Record<string, OptionSpec>;

/**
 * What a command's `run()` gets: its parsed arguments and the ways to talk to the user.
 *
 * @typeParam O The command's options: `values` is typed by them.
 */
export interface Context<O extends Options = Options> {
  /** Option values by long name (`"max-depth"`); absent options are undefined. */
  values: OptionValues<O>;
  /** Positional arguments; for commands that stop at the first one, it and everything after. */
  positionals: string[];
  /** The folder tph was started in. */
  cwd: string;
  /** Write one or more lines to stdout (a newline is added). */
  out(text: string): void;
  /** Write one or more lines to stderr (a newline is added). */
  err(text: string): void;
  /**
   * Write bytes to stdout as they are (a run exported whole: too large to hold as text); false
   * once the reader went away (`| head`): the command may stop.
   */
  outBytes(bytes: Uint8Array, length: number): boolean;
  /**
   * Write a warning line to stderr (`tph: warning: ` is added), once per distinct message per
   * command: the same problem found twice (the config read for two purposes) is said once.
   */
  warn(message: string): void;
  /** Colours for stdout: --color, FORCE_COLOR, else a terminal without NO_COLOR (main.ts). */
  color: boolean;
  /** Whether stdout is a terminal (outBytes then needs escaping: see safeOutput). */
  terminal?: boolean;
  /** The configuration, loaded on first use (warnings are the command's to print). */
  config(): LoadedConfig;
  /** The environment. */
  env?: Record<string, string | undefined>;
  /** The command table (`tph help` and `tph completion` read it; the table loads their modules). */
  commands: readonly Command[];
}

/** The module that does a command's work. */
export interface CommandWork<O extends Options = Options> {
  /** Do the work; return the exit code. Failures are thrown (see {@linkcode CliError}). */
  run(ctx: Context<O>): Promise<number> | number;
}

/**
 * A command: data for the parser, help, the reference in docs/cli.md and shell completion, and
 * the module that does its work, loaded only when the command runs (`tph --help` or `tph logs`
 * loads no exporter, no page writer, no setup).
 *
 * @typeParam O The command's options (a literal object: the type of `values` follows from it).
 */
export interface Command<O extends Options = Options> {
  /** What the user types after `tph`. */
  name: string;
  /** One line for the command list (lower case, no period). */
  summary: string;
  /** Usage after `tph `, e.g. `tree <run> [options]`. */
  usage: string;
  /** More lines for `tph help <command>`. */
  details?: string[];
  /** Example command lines for `tph help <command>`. */
  examples?: string[];
  /** Options by long name; `-h, --help` is added to every command. */
  options: O;
  /** How many positional arguments: at least, at most. */
  positionals: [number, number];
  /** For `run`: the first positional ends tph's options; it and the rest are the program's. */
  stopAtFirstPositional?: boolean;
  /**
   * The words its positional arguments are, when they are a fixed set (for shell completion):
   * a list, or `"commands"` for tph's command names. `"runs"`: run references (`last` and the
   * stored runs' ids, which `tph completion runs` lists), and files. Otherwise completion offers
   * files.
   */
  words?: readonly string[] | "commands" | "runs";
  /** The module that does the work, imported when the command runs. */
  load(): Promise<CommandWork<O>>;
}

/**
 * A command of the table, its options' types kept as written (`as const` is implied), so that
 * its work module's `Context<typeof X_OPTIONS>` types `values`.
 *
 * @param command The command.
 * @returns The same command.
 *
 * @example
 * ```ts
 * import { defineCommand } from "./src/cli/commands/command.ts";
 * const hello = defineCommand({
 *   name: "hello",
 *   summary: "say hello",
 *   usage: "hello [--name TEXT]",
 *   options: { name: { type: "string", arg: "TEXT", help: "whom to greet" } },
 *   positionals: [0, 0],
 *   load: () => Promise.resolve({ run: (ctx) => (ctx.out(`hello ${ctx.values.name ?? "you"}`), 0) }),
 * });
 * console.log(hello.name); // hello
 * ```
 */
export function defineCommand<const O extends Options>(
  command: Omit<Command<O>, "load"> & { load(): Promise<CommandWork<NoInfer<O>>> },
): Command<O> {
  return command;
}

/**
 * A whole number from an option's text, or a usage error naming the option.
 *
 * @param value The option's value (undefined when it was not given).
 * @param name The option's long name, for the message.
 * @param command The command, for the hint.
 * @param min The smallest number accepted (default 0).
 * @returns The number, or undefined when the option was not given.
 *
 * @example
 * ```ts
 * import { intOption } from "./src/cli/commands/command.ts";
 * console.log(intOption("3", "max-depth", "tree", 1)); // 3
 * ```
 */
export function intOption(
  value: unknown,
  name: string,
  command: string,
  min = 0,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    const what = min >= 1 ? "a positive whole number" : "a whole number";
    throw usageError(`--${name} takes ${what}, got "${value}"`, command);
  }
  return n;
}

/**
 * A flag that sets a limit's config key (`--max-calls` for `max_calls`), checked by the config
 * file's own rule: a value the config would reject is a usage error naming the flag and what it
 * takes.
 *
 * @param value The flag's text (undefined when it was not given).
 * @param key The config key it sets.
 * @param command The command, for the hint.
 * @returns The number (or `"all"`, for a key that takes it), or undefined when the flag was not
 *   given.
 * @throws {CliError} Code 2: `--max-calls must be a positive integer, got "0"`.
 *
 * @example
 * ```ts
 * import { configOption } from "./src/cli/commands/command.ts";
 * console.log(configOption("50", "max_calls", "run")); // 50
 * console.log(configOption("all", "details", "run")); // all
 * ```
 */
export function configOption(
  value: unknown,
  key: keyof TphConfig,
  command: string,
): number | "all" | undefined {
  if (value === undefined) return undefined;
  // Digits only (with a sign, for the rule to judge): not "0x10", "1e3", " 5" or "".
  const n = value === "all"
    ? value
    : typeof value === "string" && /^[+-]?\d+$/.test(value)
    ? Number(value)
    : NaN;
  const expected = configValueProblem(key, n);
  if (expected !== null) {
    throw usageError(`--${key.replaceAll("_", "-")} must be ${expected}, got "${value}"`, command);
  }
  return n;
}
