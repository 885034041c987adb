import { renderConfig } from "../config/render_config.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import type { Command } from "./command.ts";
import { readConfig } from "./read_config.ts";

/** `tph config`: where the configuration comes from and every effective value. */
export const configCommand: Command = {
  name: "config",
  summary: "show where the configuration comes from and every effective value",
  usage: "config [--file PATH]",
  details: [
    'tph reads tracepatch.toml, or a "tracepatch" object in deno.json or package.json: the',
    "nearest folder (from here upward) that has one wins; in one folder tracepatch.toml first.",
  ],
  examples: ["tph config", "tph config --file ci/tracepatch.toml"],
  options: {
    file: {
      type: "string",
      arg: "PATH",
      help: 'read this file instead of searching (TOML, or JSON with a "tracepatch" key)',
    },
  },
  positionals: [0, 0],
  run(ctx) {
    readConfig(ctx);
    ctx.out(renderConfig(ctx.config(), { cwd: ctx.cwd, cacheDir: cacheDirFor(ctx) }));
    return 0;
  },
};
