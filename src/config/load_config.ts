// Configuration: tracepatch.toml, or a "tracepatch" key in deno.json(c) or package.json. The
// nearest folder (from the working folder upward) that has one wins; within one folder
// tracepatch.toml comes first. Flags override what is found here. A file found this way is read
// only when no one but the user and root can change it (trust.ts).

import { exists, isSpecialFile, ownerAndMode, readText as readFile } from "../platform/files.ts";
import { dirname, join, resolve } from "node:path";
import { cwd as processCwd, env } from "../platform/process.ts";
import { toml } from "../deps.ts";
import { displayPath } from "../platform/display_path.ts";
import { parseJsonc } from "./_jsonc.ts";
import { ConfigError } from "./config_error.ts";
import { DEFAULT_CONFIG, type TphConfig } from "./default_config.ts";
import { validateConfig } from "./validate_config.ts";
import { configTrustProblem, ownerName, type TrustOptions } from "./trust.ts";
import { Array, Error, JSON, Object, structuredClone } from "../platform/globals.ts";

export { ConfigError } from "./config_error.ts";
export { DEFAULT_CONFIG, type TphConfig } from "./default_config.ts";

/** The name of tph's own config file. */
export const CONFIG_FILE_NAME = "tracepatch.toml";

/** The key tph reads in deno.json, deno.jsonc and package.json. */
export const JSON_KEY = "tracepatch";

const JSON_FILES = ["deno.json", "deno.jsonc", "package.json"];

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Where the search starts; relative paths are resolved against it (default: the working folder). */
  cwd?: string;
  /**
   * Read this file instead of searching: TOML, or JSON with a `"tracepatch"` key. The user named
   * it: it is read whoever owns it.
   */
  file?: string;
  /** Who "you" are and the system's accounts, for the ownership checks (tests pass their own). */
  trust?: TrustOptions;
}

/** Where the configuration came from and what it says. */
export interface LoadedConfig {
  /** The effective values; `cache_dir` and `scope` are absolute (resolved against `baseDir`). */
  config: TphConfig;
  /** The file it came from (absolute), or null when only defaults apply. */
  source: string | null;
  /** `"tracepatch"` when the values are that key of a JSON file; null for TOML or defaults. */
  section: string | null;
  /** The folder relative paths in the file are resolved against (the working folder for defaults). */
  baseDir: string;
  /** The keys the file sets, in its order. */
  keys: (keyof TphConfig)[];
  /** One line per unknown or ignored key, or config-like file that could not be read. */
  warnings: string[];
  /** Config files found but not read: others could change them (see trust.ts). */
  ignored?: string[];
  /** The `test` tables as written, for `tph setup` to check; undefined when absent. */
  test?: unknown;
}

function readText(path: string, shown: string): string {
  // A FIFO or a device would never end (or never stop) being read.
  if (isSpecialFile(path)) {
    throw new ConfigError(`Cannot read config "${shown}": not a regular file`);
  }
  try {
    return readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "file not found" : (e as Error).message;
    throw new ConfigError(`Cannot read config "${shown}": ${why}`);
  }
}

function finish(
  raw: Record<string, unknown>,
  path: string,
  section: string | null,
  cwd: string,
): LoadedConfig {
  const where = displayPath(path, cwd) + (section ? ` ("${section}" key)` : "");
  const { config, keys, warnings, test } = validateConfig(raw, where);
  const baseDir = dirname(path);
  if (config.cache_dir !== null) {
    config.cache_dir = resolve(baseDir, homePath(config.cache_dir, where));
  }
  config.scope = config.scope.map((s) => resolve(baseDir, s));
  return { config, source: path, section, baseDir, keys, warnings, test };
}

/** Where the search reports the files it found broken or could not trust. */
interface Search {
  warnings: string[];
  ignored: string[];
  trust?: TrustOptions;
}

/**
 * Whether tph must not read a config file found by searching (see configTrustProblem): then it is
 * listed as ignored, with a warning saying why.
 */
function distrusted(path: string, seen: Search): boolean {
  const problem = configTrustProblem(path, seen.trust);
  if (problem === null) return false;
  const owner = ownerName(ownerAndMode(path)?.uid ?? null, seen.trust?.accounts);
  seen.warnings.push(`Ignoring config ${path} (owned by ${owner}): ${problem.why}`);
  seen.ignored.push(path);
  return true;
}

/**
 * `~` and `~/…` at the start of `cache_dir` are the home folder, as in a shell (the home folder
 * itself is then refused as a run cache, as `--cache-dir ~` is); `~name` is refused.
 */
function homePath(value: string, where: string): string {
  if (!value.startsWith("~")) return value;
  const home = env().HOME;
  if (!value.startsWith("~/") && value !== "~") {
    throw new ConfigError(
      `Invalid config in ${where}: "cache_dir" = ${JSON.stringify(value)}: only ~ and ~/… ` +
        "(your home folder) are understood; write the path in full",
    );
  }
  if (home === undefined || !home.startsWith("/")) {
    throw new ConfigError(
      `Invalid config in ${where}: "cache_dir" starts with ~ but HOME is not set; write the ` +
        "path in full",
    );
  }
  return home + value.slice(1);
}

function fromToml(path: string, cwd: string): LoadedConfig {
  const shown = displayPath(path, cwd);
  let raw: Record<string, unknown>;
  try {
    raw = toml().parse(readText(path, shown)) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof toml().TomlError)) throw e;
    const reason = e.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
    throw new ConfigError(
      `Cannot read config "${shown}": invalid TOML at line ${e.line}, column ${e.column}: ${reason}`,
    );
  }
  return finish(raw, path, null, cwd);
}

/**
 * The config in a JSON file's "tracepatch" key; null when it has none. `seen` is null for a file
 * the user named (read as it is), else where a file found by searching is reported when it is
 * broken or cannot be trusted.
 */
function fromJson(path: string, cwd: string, seen: Search | null): LoadedConfig | null {
  const shown = displayPath(path, cwd);
  const text = readText(path, shown);
  // Most deno.json and package.json files found by searching hold no such key: not parsed then
  // (parseJsonc runs cold at each command: ~1–1.5 ms for two small files on Bun, before `tph run`
  // writes the settings). A key spelled with escapes (`"tr\u0061cepatch"`) is looked for by
  // parsing any text with one; a file the user named is parsed, to report it broken.
  if (seen !== null && !text.includes(`"${JSON_KEY}"`) && !text.includes("\\")) return null;
  let data: unknown;
  try {
    data = parseJsonc(text);
  } catch (e) {
    const why = `invalid JSON (${(e as Error).message.split("\n")[0]})`;
    if (seen === null) throw new ConfigError(`Cannot read config "${shown}": ${why}`);
    // A broken deno.json or package.json is the runtime's to report, unless it may hold ours.
    if (text.includes(`"${JSON_KEY}"`) && !distrusted(path, seen)) {
      seen.warnings.push(`Skipping ${shown}: ${why}`);
    }
    return null;
  }
  if (data === null || typeof data !== "object" || !Object.hasOwn(data, JSON_KEY)) return null;
  if (seen !== null && distrusted(path, seen)) return null;
  const section = (data as Record<string, unknown>)[JSON_KEY];
  if (section === null || typeof section !== "object" || Array.isArray(section)) {
    throw new ConfigError(
      `Invalid config in ${shown}: "${JSON_KEY}" must be an object, got ${JSON.stringify(section)}`,
    );
  }
  return finish(section as Record<string, unknown>, path, JSON_KEY, cwd);
}

/**
 * Find and read the configuration.
 *
 * @param options `cwd` to search from; `file` to read one file instead.
 * @returns The effective values (defaults for keys not set), where they came from, and warnings.
 * @throws {ConfigError} One line naming the file: not found, invalid TOML (with line and column),
 * invalid JSON, or a value of the wrong type (naming the key and the type expected).
 *
 * @example
 * ```ts
 * import { loadConfig } from "./src/config/load_config.ts";
 * const { config, source, warnings } = loadConfig({ cwd: "." });
 * console.log(source ?? "defaults", config.max_depth, warnings);
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = resolve(options.cwd ?? processCwd());
  if (options.file !== undefined) {
    const path = resolve(cwd, options.file);
    if (!exists(path)) {
      throw new ConfigError(`Cannot read config "${options.file}": file not found`);
    }
    if (!/\.jsonc?$/.test(path)) return fromToml(path, cwd);
    const found = fromJson(path, cwd, null);
    if (found === null) {
      throw new ConfigError(
        `Cannot read config "${options.file}": it has no "${JSON_KEY}" key`,
      );
    }
    return found;
  }
  const seen: Search = { warnings: [], ignored: [], trust: options.trust };
  const { warnings, ignored } = seen;
  for (let dir = cwd;; dir = dirname(dir)) {
    const toml = join(dir, CONFIG_FILE_NAME);
    // One another user could have written is passed over, as if it were not there.
    let found = exists(toml) && !distrusted(toml, seen) ? fromToml(toml, cwd) : null;
    for (const name of JSON_FILES) {
      const path = join(dir, name);
      if (found === null && exists(path)) found = fromJson(path, cwd, seen);
    }
    if (found !== null) {
      return { ...found, warnings: [...warnings, ...found.warnings], ignored };
    }
    if (dirname(dir) === dir) break;
  }
  return {
    config: structuredClone({ ...DEFAULT_CONFIG }) as TphConfig,
    source: null,
    section: null,
    baseDir: cwd,
    keys: [],
    warnings,
    ignored,
  };
}
