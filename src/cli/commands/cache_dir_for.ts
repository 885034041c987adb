import { dirname, resolve } from "node:path";
import { exists, userCachePath } from "../../platform/files.ts";
import { defaultCacheDir, insideAny } from "../../store/cache_dir.ts";
import { findProjectRoot } from "../../store/project_root.ts";
import type { Context } from "./command.ts";
import { CliError } from "./errors.ts";
import { readConfig } from "./read_config.ts";

/**
 * The cache folder named by the command line or the configuration: `--cache-dir` (relative to
 * the working folder), else `cache_dir` from the configuration (relative to its file); null when
 * neither names one, and the project root's default applies (see defaultCacheDir). The one place
 * of this rule: the commands that read runs ({@linkcode cacheDirFor}) and `tph run`, which
 * stores them, both take it from here.
 *
 * @param ctx The command's context.
 * @returns An absolute path, or null.
 *
 * @example
 * ```ts
 * import { namedCacheDir } from "./src/cli/commands/cache_dir_for.ts";
 * declare const ctx: import("./src/cli/commands/command.ts").Context;
 * console.log(namedCacheDir(ctx) ?? "the default");
 * ```
 */
export function namedCacheDir(ctx: Context): string | null {
  const flag = ctx.values["cache-dir"];
  if (typeof flag === "string") return resolve(ctx.cwd, flag);
  return readConfig(ctx).cache_dir;
}

/**
 * The cache folder a command reads: the one the command line or the configuration names (see
 * {@linkcode namedCacheDir}), else `.tracepatch_cache` at the project root of the working folder,
 * or, when that root is a system folder or one every user can write, the folder in the user's
 * cache that `tph run` uses for it (see defaultCacheDir).
 *
 * @param ctx The command's context.
 * @param from The folder whose project root holds the default cache (the working folder).
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { cacheDirFor } from "./src/cli/commands/cache_dir_for.ts";
 * declare const ctx: import("./src/cli/commands/command.ts").Context;
 * console.log(cacheDirFor(ctx));
 * ```
 */
export function cacheDirFor(ctx: Context, from: string = ctx.cwd): string {
  const named = namedCacheDir(ctx);
  if (named !== null) return named;
  const root = findProjectRoot(from);
  try {
    return defaultCacheDir(root).dir;
  } catch (e) {
    throw new CliError(`Cannot find the runs of "${root}": ${(e as Error).message}`, 1);
  }
}

/**
 * Refuse a `cache_dir` of the config that tph would have to make outside the project and the
 * user's cache folder: a config file must not make tph create folders elsewhere. A folder that
 * exists is judged by unsafeCacheDir; `--cache-dir` is the user's own choice.
 *
 * @param ctx The command's context.
 * @param root The project root of the program.
 * @param what The command, for the message.
 * @throws {CliError} One line (exit 2) naming the folder, the config file and what to do.
 */
export function checkConfiguredCacheDir(ctx: Context, root: string, what: string): void {
  if (typeof ctx.values["cache-dir"] === "string") return;
  const loaded = ctx.config();
  const dir = loaded.config.cache_dir;
  if (dir === null || exists(dir)) return;
  let cache: string | null = null;
  try {
    cache = dirname(userCachePath());
  } catch {
    // No home folder: the project alone.
  }
  const places = [root, loaded.baseDir, ...(cache === null ? [] : [cache])];
  if (insideAny(dir, places)) return;
  throw new CliError(
    `Cannot use cache_dir "${dir}" of ${loaded.source}: tph makes a run cache only inside the ` +
      `project (${root}) or your cache folder${cache === null ? "" : ` (${cache})`}; make the ` +
      "folder yourself to use it, or give --cache-dir",
    2,
    what,
    false,
  );
}
