// The project's own copy of a test runner that tph test runs on Node (vitest, jest): found from
// the working folder up, as Node would resolve it, with its version and command-line script.

import { dirname, join } from "node:path";
import { exists, readText, realPath } from "../../platform/files.ts";
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
  const pkg = JSON.parse(readText(join(folder, "package.json"))) as {
    version?: string;
    bin?: string | Record<string, string>;
  };
  const version = pkg.version ?? "0.0";
  const [major, minor] = version.split(".").map(Number);
  const script = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.[name] ?? bin;
  const cli = join(folder, script);
  return { folder, version, major, minor, cli: exists(cli) ? realPath(cli) : null };
}
