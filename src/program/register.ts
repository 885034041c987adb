// The register entry (`tph/register`): tracing set up inside the program's own process, with no
// `tph run` around it. The runtime loads it before the program —
//   node --import tph/register main.ts
//   bun --preload tph/register main.ts
//   deno run -A --preload npm:tph/register main.ts
// — or the program loads it first (`import "tph/register"`, `require("tph/register")`): then only
// the modules loaded after it are instrumented. The project's files are instrumented as they load,
// with the scope and config `tph run` uses; nothing records outside trace() blocks (each
// instrumented call then costs one check of a flag), and each finished block is stored in the run
// cache (auto_save). TPH_CONFIG=<file> reads that config file instead of searching. TPH_DISABLE=1 or `enabled = false` in the config: nothing is instrumented,
// and every block is a no-op.

import process from "../platform/node_process.ts";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDirectory, realPath } from "../platform/files.ts";
import { env } from "../platform/process.ts";
import { loadConfig, type TphConfig } from "../config/load_config.ts";
import { defaultScope, scriptProjectRoot } from "../store/project_root.ts";
import { defaultCacheDir, unsafeCacheDir } from "../store/cache_dir.ts";
import { SOURCE_FILE } from "../project/scope.ts";
import { limitOptions, type TraceLimits } from "../run_file/limits.ts";
import { registerLoader } from "./loader/register.ts";
import { runtime } from "./recorder/recorder.ts";
import { configureBlocks } from "./blocks.ts";
import { programCommand, runtimeName } from "./program_info.ts";
import { onProcessEnd } from "./process_end.ts";
// The library the program's trace() hands its blocks to (LibraryABI in src/abi.ts).
import { endOpenBlocks } from "./trace.ts";
import { Error, Set, String } from "../platform/globals.ts";

/** Why the register entry did not set tracing up, said in one line; the program runs as it is. */
class NotRegistered extends Error {}

/**
 * Set up tracing in this process: the loader hook for the project's files and what trace()
 * blocks do. Does nothing under `tph run` (its preload did it) or when a copy of tph did it
 * already.
 *
 * @param cwd The folder the config is searched from (the working folder).
 * @returns Whether tracing was set up here.
 */
export function registerEntry(cwd: string = process.cwd()): boolean {
  const rt = runtime();
  if (rt.loader !== null) return false;
  const vars = env();
  if (vars.TPH_DISABLE === "1") return false;
  try {
    // TPH_CONFIG names the config file to read instead of searching from the working folder.
    const file = vars.TPH_CONFIG;
    const loaded = loadConfig(file !== undefined && file !== "" ? { cwd, file } : { cwd });
    for (const w of loaded.warnings) process.stderr.write(`tph: warning: ${w}\n`);
    const cfg = loaded.config;
    const main = mainScript();
    const root = scriptProjectRoot(main ?? resolve(cwd, "main.js"));
    const info = { command: programCommand(), cwd, runtime: runtimeName };
    const common = {
      how: "register" as const,
      limits: limitsOf(cfg),
      label: cfg.default_label,
      keep: { maxRuns: cfg.max_runs, maxCacheMb: cfg.max_cache_mb },
      files: { include: cfg.include, exclude: cfg.exclude },
      ...info,
      testList: null,
    };
    if (!cfg.enabled) {
      configureBlocks({ ...common, cacheDir: null, disabled: true, instrumented: () => 0 });
      return false;
    }
    const { folders, files, aliases } = scopeOf(cfg, root, loaded.source);
    const loader = registerLoader({
      scope: folders,
      ...(files.length > 0 ? { files } : {}),
      include: cfg.include,
      exclude: cfg.exclude,
      root,
      ...(aliases?.length ? { aliases } : {}),
      externalCalls: cfg.external_calls,
    });
    rt.loader = "register";
    keepManifest(loader.finish);
    configureBlocks({
      ...common,
      cacheDir: cfg.cache && cfg.auto_save ? cacheDirOf(cfg, root, vars.HOME) : null,
      disabled: false,
      instrumented: loader.instrumented,
      // The program may exit inside a block: it is stored then, its open calls unfinished.
      watchEnd: () => onProcessEnd(endOpenBlocks),
    });
    return true;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    process.stderr.write(`tph: ${why}; the program runs untraced\n`);
    return false;
  }
}

/**
 * On Deno the loader keeps what the program's files were (manifest.ts) so that the next start
 * loads no parser: saved when the program ends, as `tph run`'s preload does.
 */
function keepManifest(finish: () => void): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno === undefined) return;
  g.addEventListener("unload", () => {
    try {
      finish();
    } catch {
      // Not kept: the next start loads the parser.
    }
  });
}

/** The program's main file: Deno's main module, Bun's main, else Node's `argv[1]`. */
function mainScript(): string | null {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno !== undefined) {
    const url = g.Deno.mainModule as string | undefined;
    return url !== undefined && url.startsWith("file:") ? fileURLToPath(url) : null;
  }
  const main = g.Bun !== undefined ? g.Bun.main : process.argv[1];
  return typeof main === "string" && main !== "" ? resolve(main) : null;
}

/** What blocks record, from the config (their own options win over it). */
function limitsOf(cfg: TphConfig): TraceLimits {
  return {
    ...limitOptions(cfg),
    ignoreModules: cfg.ignore_modules,
    redact: cfg.redact,
    redactValues: cfg.redact_values,
    redactKnown: cfg.redact_known,
  };
}

/**
 * The folders and files traced: the config's scope (each with its real path too), else the
 * project root (with the links to a workspace's members), as `tph run` chooses them.
 */
function scopeOf(
  cfg: TphConfig,
  root: string,
  source: string | null,
): { folders: string[]; files: string[]; aliases?: [string, string][] } {
  if (cfg.scope.length === 0) return { ...defaultScope(root), files: [] };
  const folders = new Set<string>(), files = new Set<string>();
  for (const path of cfg.scope) {
    let real: string;
    try {
      real = realPath(path);
    } catch {
      throw new NotRegistered(`"scope" in ${source}: "${path}" does not exist`);
    }
    const into = isDirectory(real) ? folders : files;
    if (into === files && !SOURCE_FILE.test(path)) {
      throw new NotRegistered(
        `"scope" in ${source}: "${path}" is not a folder nor a JavaScript or TypeScript file`,
      );
    }
    into.add(path).add(real);
  }
  return { folders: [...folders], files: [...files] };
}

/** Where blocks are stored: the cache `tph logs` reads from the project; null when unsafe. */
function cacheDirOf(cfg: TphConfig, root: string, home: string | undefined): string | null {
  const dir = cfg.cache_dir ?? defaultCacheDir(root).dir;
  const unsafe = unsafeCacheDir(dir, root, home);
  if (unsafe === null) return dir;
  process.stderr.write(
    `tph: warning: trace() blocks are not stored: "${dir}" is ${unsafe}; set cache_dir to a ` +
      "folder of its own\n",
  );
  return null;
}
