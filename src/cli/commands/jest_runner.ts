// `tph test` on jest, the CLI's part: find the project's jest, and write the two files jest is
// given for the run: a transformer that instruments the project's files after the project's own
// transformers, and a test runner around jest-circus that makes each test a run
// (src/program/tests/jest_tests.ts). tph's preload in jest's process puts both in every project's
// config as jest reads it; jest's workers start with the preload too.

import { join } from "node:path";
import { writeText } from "../../platform/files.ts";
import { tempFolder } from "../launch/temp_folder.ts";
import type { JestSettings } from "../../program/settings.ts";
import { CliError } from "./errors.ts";
import { cliOf, runnerPackage } from "./runner_package.ts";

/** What `tph test` runs for jest. */
export interface JestPlan {
  settings: JestSettings;
  /** Node's arguments after tph's preload: jest's script, then the user's. */
  args: string[];
  /** The command as the run shows it. */
  command: string[];
  /** The folder of tph's files for this run, removed when it ends. */
  folder: string;
}

// The first jest tph test runs (jest-circus with its test events and AsyncLocalStorage).
const FIRST = 30;

/**
 * Find the project's jest and write tph's files for it.
 *
 * @param cwd Where tph test runs.
 * @param given The arguments for jest (`--` and after, or the test script's).
 * @returns What to run.
 * @throws {CliError} When jest is not installed or too old.
 */
export function prepareJest(cwd: string, given: string[]): JestPlan {
  const installed = runnerPackage(cwd, "jest", "bin/jest.js");
  const { version, major } = installed;
  if (!(major >= FIRST)) {
    throw new CliError(
      `tph test runs jest ${FIRST} or later, and this project has jest ${version}: ` +
        "npm install --save-dev jest@latest",
      1,
    );
  }
  const cli = cliOf("jest", installed);
  const tmp = tempFolder("tph-jest-");
  const settings: JestSettings = {
    cli,
    major,
    transformer: join(tmp, "transformer.cjs"),
    runner: join(tmp, "runner.cjs"),
  };
  writeText(settings.transformer, shim("transformer"));
  writeText(settings.runner, shim("runner"));
  return { settings, args: [cli, ...given], command: ["jest", ...given], folder: tmp };
}

/** A file jest requires, which hands over to tph's part in the process (jest_tests.ts). */
function shim(part: "transformer" | "runner"): string {
  return `"use strict";
const tph = globalThis[Symbol.for("tph.jest")];
if (tph === undefined) throw new Error("tph test: this jest process was started without tph's preload");
module.exports = tph.${part};
`;
}
