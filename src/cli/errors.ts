/** A failure the CLI reports in one line: code 2 for usage errors (with a hint), 1 otherwise. */
export class CliError extends Error {
  constructor(message: string, readonly code: 1 | 2 = 1, readonly command?: string) {
    super(message);
  }
}

/**
 * A usage error: bad option, missing argument.
 *
 * @param message What is wrong, one line.
 * @param command The command whose help to point at.
 * @returns The error to throw.
 */
export function usageError(message: string, command?: string): CliError {
  return new CliError(message, 2, command);
}
