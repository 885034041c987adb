import { join, resolve } from "node:path";
import { CACHE_DIR_NAME } from "../store/cache_dir.ts";
import { findProjectRoot } from "../store/project_root.ts";
import type { Context } from "./command.ts";
import { readConfig } from "./read_config.ts";

/**
 * The cache folder a command reads: `--cache-dir` (relative to the working folder), else
 * `cache_dir` from the configuration (relative to its file), else `.tracepatch_cache` at the
 * project root of the working folder.
 *
 * @param ctx The command's context.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { cacheDirFor } from "./src/cli/cache_dir_for.ts";
 * declare const ctx: import("./src/cli/command.ts").Context;
 * console.log(cacheDirFor(ctx));
 * ```
 */
export function cacheDirFor(ctx: Context): string {
  const flag = ctx.values["cache-dir"];
  if (typeof flag === "string") return resolve(ctx.cwd, flag);
  return readConfig(ctx).cache_dir ?? join(findProjectRoot(ctx.cwd), CACHE_DIR_NAME);
}

/** The `--cache-dir` option, the same on every command that reads runs. */
export const CACHE_DIR_OPTION = {
  type: "string",
  arg: "DIR",
  help: "the run cache folder (default: cache_dir from config, else .tracepatch_cache " +
    "at the project root)",
} as const;
