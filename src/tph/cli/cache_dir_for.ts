import { resolve } from "node:path";
import { defaultCacheDir } from "../store/cache_dir.ts";
import { findProjectRoot } from "../store/project_root.ts";
import type { Context } from "./command.ts";
import { CliError } from "./errors.ts";
import { readConfig } from "./read_config.ts";

/**
 * The cache folder a command reads: `--cache-dir` (relative to the working folder), else
 * `cache_dir` from the configuration (relative to its file), else `.tracepatch_cache` at the
 * project root of the working folder, or, when that root is a system folder or one every user
 * can write, the folder in the user's cache that `tph run` uses for it (see defaultCacheDir).
 *
 * @param ctx The command's context.
 * @param from The folder whose project root holds the default cache (the working folder).
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { cacheDirFor } from "./src/tph/cli/cache_dir_for.ts";
 * declare const ctx: import("./src/tph/cli/command.ts").Context;
 * console.log(cacheDirFor(ctx));
 * ```
 */
export function cacheDirFor(ctx: Context, from: string = ctx.cwd): string {
  const flag = ctx.values["cache-dir"];
  if (typeof flag === "string") return resolve(ctx.cwd, flag);
  const configured = readConfig(ctx).cache_dir;
  if (configured !== null) return configured;
  const root = findProjectRoot(from);
  try {
    return defaultCacheDir(root).dir;
  } catch (e) {
    throw new CliError(`Cannot find the runs of "${root}": ${(e as Error).message}`, 1);
  }
}

/** The `--cache-dir` option, the same on every command that reads runs. */
export const CACHE_DIR_OPTION = {
  type: "string",
  arg: "DIR",
  help: "the run cache folder (default: cache_dir from config, else .tracepatch_cache " +
    "at the project root; for a shared root such as /tmp, a folder in ~/.cache/tph/runs)",
} as const;
