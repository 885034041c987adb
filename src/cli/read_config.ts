import type { TphConfig } from "../config/default_config.ts";
import type { Context } from "./command.ts";

const warned = new WeakSet<Context>();

/**
 * The configuration for a read command; its warnings (unknown keys…) go to stderr, once per
 * command.
 *
 * @param ctx The command's context.
 * @returns The effective configuration.
 * @throws {ConfigError} When the config file cannot be used.
 *
 * @example
 * ```ts
 * import { readConfig } from "./src/cli/read_config.ts";
 * declare const ctx: import("./src/cli/command.ts").Context;
 * console.log(readConfig(ctx).tree_style);
 * ```
 */
export function readConfig(ctx: Context): TphConfig {
  const loaded = ctx.config();
  if (!warned.has(ctx)) {
    warned.add(ctx);
    for (const w of loaded.warnings) ctx.err(`tph: warning: ${w}`);
  }
  return loaded.config;
}
