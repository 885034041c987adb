// `tph setup`: write a file that calls the functions `[[test.files]]` names, to be run with
// `tph run` (the work is in setup_run.ts, loaded when the command runs); `tph disable` undoes it.

import { TEST_FILE_NAME } from "../setup/render_test_file.ts";
import { CACHE_DIR_OPTION } from "./cache_dir_for.ts";
import type { Command } from "./command.ts";

export const YES = {
  type: "boolean",
  short: "y",
  help: "go on when git has staged changes, without asking",
} as const;

export const CONFIG_FILE = {
  type: "string",
  arg: "PATH",
  help: 'read this config instead of searching (TOML, or JSON with a "tracepatch" key)',
} as const;

/** `tph setup`. */
export const setupCommand: Command = {
  name: "setup",
  summary: `write ${TEST_FILE_NAME}: calls of the functions the config's [[test.files]] names`,
  usage: "setup [options]",
  details: [
    "Reads [[test.files]] (path, functions) and [[test.inputs]] (function, args, kwargs,",
    "construct) from the config; without inputs, arguments are built from parameter types.",
    `Run the file with "tph run ${TEST_FILE_NAME}"; "tph disable" removes it again.`,
    "With staged changes in git it stops (asks, on a terminal) unless --yes.",
  ],
  examples: ["tph setup", `tph run ${TEST_FILE_NAME}`, "tph disable"],
  options: {
    yes: YES,
    force: {
      type: "boolean",
      help: `overwrite ${TEST_FILE_NAME} even if it was edited since setup wrote it`,
    },
    file: CONFIG_FILE,
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [0, 0],
  async run(ctx) {
    return await (await import("./setup_run.ts")).runSetup(ctx);
  },
};
