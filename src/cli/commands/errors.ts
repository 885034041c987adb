/**
 * A failure the CLI reports as one line on stderr: code 2 for usage errors (followed by a hint
 * line `Run "tph help <command>" for usage.`), 1 for everything else.
 *
 * @example
 * ```ts
 * import { CliError } from "./src/cli/commands/errors.ts";
 * throw new CliError(`Cannot read run "a1b2": no such run in .tracepatch_cache`, 1);
 * ```
 */
export class CliError extends Error {
  readonly code: 1 | 2;
  readonly command?: string;
  /** Whether a hint to the help follows (usage errors; not a diff's trouble, also code 2). */
  readonly hint: boolean;
  /**
   * @param message One line: what is wrong, naming the thing (no `tph: ` prefix, no period).
   * @param code The exit code: 2 for usage errors, 1 for other failures.
   * @param command The command whose help a usage error points at.
   */
  constructor(
    message: string,
    code: 1 | 2 = 1,
    command?: string,
    hint: boolean = code === 2,
  ) {
    super(message);
    this.code = code;
    this.command = command;
    this.hint = hint;
    this.name = "CliError";
  }
}

/**
 * A usage error (bad option, missing argument): exit code 2 and a hint to the command's help.
 *
 * @param message What is wrong, one line.
 * @param command The command whose help to point at; none for tph's overview.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { usageError } from "./src/cli/commands/errors.ts";
 * throw usageError(`unknown option "--foo" for "tree"`, "tree");
 * ```
 */
export function usageError(message: string, command?: string): CliError {
  return new CliError(message, 2, command);
}
