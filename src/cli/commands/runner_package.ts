// The project's own copy of a test runner that tph test runs on Node (vitest, jest): found from
// the working folder up, as Node would resolve it, with its version and command-line script.

import { dirname, join } from "node:path";
import { exists, fileProblem, readText, realPath } from "../../platform/files.ts";
import { CliError } from "./errors.ts";

/** A runner's package as installed in the project. */
export interface RunnerPackage {
  /** Its folder, symlinks resolved. */
  folder: string;
  /** Its version as its package.json says (`major.minor…`), and those two numbers. */
  version: string;
  major: number;
  minor: number;
  /** Its command-line script, symlinks resolved (checked by cliOf). */
  cli: string | null;
}

/**
 * A runner's command-line script.
 *
 * @throws {CliError} When the package has lost it (a broken install).
 */
export function cliOf(name: string, p: RunnerPackage): string {
  if (p.cli !== null) return p.cli;
  throw new CliError(
    `${name} in ${p.folder} has no command-line script: npm install (again) to mend it`,
    1,
  );
}

/**
 * The project's copy of a runner, looked for from `cwd` up.
 *
 * @param cwd Where tph test runs.
 * @param name The package (`vitest`, `jest`), which is also its command's name.
 * @param bin Its script when its package.json names none.
 * @throws {CliError} When it is not installed.
 */
export function runnerPackage(cwd: string, name: string, bin: string): RunnerPackage {
  let folder: string | null = null;
  for (let dir = cwd; folder === null; dir = dirname(dir)) {
    const pkg = join(dir, "node_modules", name, "package.json");
    if (exists(pkg)) folder = dirname(realPath(pkg));
    else if (dirname(dir) === dir) {
      throw new CliError(
        `${name} is not installed here (no node_modules/${name} in ${cwd} or above): ` +
          `npm install --save-dev ${name}, or choose another runner with --runner`,
        1,
      );
    }
  }
  const { version, bin: named } = readPackage(name, join(folder, "package.json"));
  const [major, minor] = version.split(".").map(Number);
  const cli = join(folder, named ?? bin);
  return { folder, version, major, minor, cli: exists(cli) ? realPath(cli) : null };
}

/**
 * A runner's package.json: its version and the script its `bin` names for the command, if any.
 *
 * @throws {CliError} One line naming the file, when it is not a package's (an install cut short
 *   leaves it empty, or half written): npm install mends it.
 */
function readPackage(name: string, file: string): { version: string; bin: string | null } {
  const broken = (why: string) =>
    new CliError(`${name}'s ${file} ${why}: npm install (again) to mend it`, 1);
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    throw broken(`cannot be read (${fileProblem(e)})`);
  }
  if (text.trim() === "") throw broken("is empty (an install cut short?)");
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch {
    throw broken("is not valid JSON (an install cut short?)");
  }
  if (pkg === null || typeof pkg !== "object" || Array.isArray(pkg)) {
    throw broken("is not a package's (not a JSON object)");
  }
  const { version, bin } = pkg as { version?: unknown; bin?: unknown };
  if (typeof version !== "string" || !/^\d+\.\d+/.test(version)) {
    throw broken(
      version === undefined
        ? "has no version"
        : `has no version number (${JSON.stringify(version)})`,
    );
  }
  const named = typeof bin === "string" ? bin : bin !== null && typeof bin === "object" &&
      typeof (bin as Record<string, unknown>)[name] === "string"
    ? (bin as Record<string, string>)[name]
    : null;
  return { version, bin: named };
}
