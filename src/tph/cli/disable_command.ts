// `tph disable`: remove what `tph setup` wrote (the work is in disable_run.ts, loaded when the
// command runs).

import { TEST_FILE_NAME } from "../setup/render_test_file.ts";
import { CACHE_DIR_OPTION } from "./cache_dir_for.ts";
import type { Command } from "./command.ts";
import { CONFIG_FILE, YES } from "./setup_command.ts";

/** `tph disable`. */
export const disableCommand: Command = {
  name: "disable",
  summary: `remove what tph setup wrote (restoring any file it replaced); runs are kept`,
  usage: "disable [options]",
  details: [
    `Removes ${TEST_FILE_NAME} and the setup state; a file setup replaced is put back.`,
    "A generated file edited since is left alone unless --force. Runs stay in the cache.",
  ],
  examples: ["tph disable", "tph disable --force"],
  options: {
    yes: YES,
    force: { type: "boolean", help: "remove generated files even if they were edited since" },
    file: CONFIG_FILE,
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [0, 0],
  async run(ctx) {
    return await (await import("./disable_run.ts")).runDisable(ctx);
  },
};
