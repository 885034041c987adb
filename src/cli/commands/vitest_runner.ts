// `tph test` on vitest, the CLI's part: find the project's vitest, and write the setup file that
// makes each test a run in the workers (src/program/tests/vitest_tests.ts); tph's preload in
// vitest's process adds tph's plugin to every vite server vitest makes (vitest_plugin.ts). vitest
// always runs once (`vitest run`), as in CI.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { makeDir, writeText } from "../../platform/files.ts";
import { tempFolder } from "../launch/temp_folder.ts";
import type { VitestSettings } from "../../program/settings.ts";
import { CliError } from "./errors.ts";
import { cliOf, runnerPackage } from "./runner_package.ts";

/** What `tph test` runs for vitest. */
export interface VitestPlan {
  settings: VitestSettings;
  /** Node's arguments after tph's preload: vitest's script, `run`, the user's. */
  args: string[];
  /** The command as the run shows it. */
  command: string[];
  /** The folder of tph's files for this run, removed when it ends. */
  folder: string;
}

// The first vitest tph test runs (each test's context has `onTestFinished`).
const FIRST = [1, 0];

/**
 * Find the project's vitest and write tph's files for it.
 *
 * @param cwd Where tph test runs.
 * @param given The arguments for vitest (`--` and after, or the test script's).
 * @returns What to run.
 * @throws {CliError} When vitest is not installed or too old.
 */
export function prepareVitest(cwd: string, given: string[]): VitestPlan {
  const installed = runnerPackage(cwd, "vitest", "vitest.mjs");
  const { folder, version, major, minor } = installed;
  if (!(major > FIRST[0] || (major === FIRST[0] && minor >= FIRST[1]))) {
    throw new CliError(
      `tph test runs vitest ${FIRST.join(".")} or later, and this project has vitest ` +
        `${version}: npm install --save-dev vitest@latest`,
      1,
    );
  }
  const cli = cliOf("vitest", installed);
  const args = [...given];
  // Always one run: `vitest` alone watches where a terminal is.
  if (args[0] === "run" || args[0] === "watch" || args[0] === "dev") args.shift();
  const tmp = tempFolder("tph-vitest-");
  const settings: VitestSettings = {
    cli,
    major,
    setup: join(tmp, "setup.mjs"),
    sources: join(tmp, "sources"),
  };
  makeDir(settings.sources);
  writeText(settings.setup, setupText(join(folder, "dist", "index.js")));
  return {
    settings,
    args: [cli, "run", ...args],
    command: ["vitest", "run", ...given.filter((a, i) => !(i === 0 && a === "run"))],
    folder: tmp,
  };
}

/** The setup file vitest runs first in each test file. */
function setupText(vitestMain: string): string {
  return `import * as vitest from ${JSON.stringify(pathToFileURL(vitestMain).href)};
const key = Symbol.for("tph.vitest.tests");
const register = globalThis[key] ?? globalThis.__tph?.[key];
if (typeof register === "function") register(vitest, Function);
`;
}
