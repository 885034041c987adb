import type { TphConfig } from "../../config/default_config.ts";
import type { Context } from "./command.ts";

/**
 * The configuration for a command; its warnings (unknown keys…) go to stderr, once per command
 * however often it is asked for (see `Context.warn`).
 *
 * @param ctx The command's context.
 * @returns The effective configuration.
 * @throws {ConfigError} When the config file cannot be used.
 *
 * @example
 * ```ts
 * import { readConfig } from "./src/cli/commands/read_config.ts";
 * declare const ctx: import("./src/cli/commands/command.ts").Context;
 * console.log(readConfig(ctx).tree_style);
 * ```
 */
export function readConfig(ctx: Context): TphConfig {
  const loaded = ctx.config();
  for (const w of loaded.warnings) ctx.warn(w);
  return loaded.config;
}
