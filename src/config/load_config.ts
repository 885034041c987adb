// Configuration: tracepatch.toml (searched from the working folder upward), else a "tracepatch"
// key in the nearest deno.json(c) or package.json. Keys as tracepatch's, plus scope/include/
// exclude/external_calls. Command-line flags override what is found here.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";

/** The effective configuration (snake_case, as in the files). */
export interface TphConfig {
  ignore_modules: string[];
  max_depth: number;
  max_calls: number;
  max_repr: number;
  cache: boolean;
  cache_dir: string | null;
  default_label: string | null;
  show_args: boolean;
  show_return: boolean;
  tree_style: "ascii" | "unicode";
  scope: string[];
  include: string[];
  exclude: string[];
  external_calls: boolean;
}

/** Defaults, as in tracepatch where it has the key. */
export const DEFAULT_CONFIG: Readonly<TphConfig> = Object.freeze({
  ignore_modules: [],
  max_depth: 30,
  max_calls: 10000,
  max_repr: 120,
  cache: true,
  cache_dir: null,
  default_label: null,
  show_args: true,
  show_return: true,
  tree_style: "unicode",
  scope: [],
  include: [],
  exclude: [],
  external_calls: true,
});

type Kind = "strings" | "count" | "bool" | "path" | "text" | "style";
const KINDS: Record<keyof TphConfig, Kind> = {
  ignore_modules: "strings",
  max_depth: "count",
  max_calls: "count",
  max_repr: "count",
  cache: "bool",
  cache_dir: "path",
  default_label: "text",
  show_args: "bool",
  show_return: "bool",
  tree_style: "style",
  scope: "strings",
  include: "strings",
  exclude: "strings",
  external_calls: "bool",
};
// tracepatch keys that mean nothing here but are not mistakes.
const TOLERATED = new Set(["auto_save", "test"]);

/** A configuration file that cannot be used; the message names file, place and fix. */
export class ConfigError extends Error {}

/** Where the configuration came from and what it says. */
export interface LoadedConfig {
  config: TphConfig;
  /** `path` or `path ("tracepatch" key)`; null when only defaults apply. */
  source: string | null;
  /** Folder relative paths in the file are resolved against. */
  baseDir: string;
  warnings: string[];
}

function parseJsonc(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // deno.json may hold comments and trailing commas.
    const stripped = text
      .replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str) => str ?? "")
      .replace(/,(\s*[}\]])/g, "$1");
    return JSON.parse(stripped);
  }
}

function closest(word: string): string | null {
  let best: string | null = null, bestScore = 3;
  for (const key of Object.keys(KINDS)) {
    const d = distance(word, key);
    if (d < bestScore) [best, bestScore] = [key, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function check(raw: Record<string, unknown>, where: string, baseDir: string) {
  const config: TphConfig = structuredClone(DEFAULT_CONFIG) as TphConfig;
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const kind = KINDS[key as keyof TphConfig];
    if (kind === undefined) {
      if (!TOLERATED.has(key)) {
        const hint = closest(key);
        warnings.push(
          `Unknown key "${key}" in ${where}${hint ? ` (did you mean "${hint}"?)` : ""}`,
        );
      }
      continue;
    }
    const bad = (expected: string) =>
      new ConfigError(
        `Invalid "${key}" in ${where}: expected ${expected}, got ${JSON.stringify(value)}`,
      );
    switch (kind) {
      case "strings":
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
          throw bad("a list of strings");
        }
        break;
      case "count":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
          throw bad("a whole number ≥ 0");
        }
        break;
      case "bool":
        if (typeof value !== "boolean") throw bad("true or false");
        break;
      case "path":
      case "text":
        if (value !== null && typeof value !== "string") throw bad("a string");
        break;
      case "style":
        if (value !== "ascii" && value !== "unicode") throw bad('"ascii" or "unicode"');
        break;
    }
    // deno-lint-ignore no-explicit-any
    (config as any)[key] = value;
  }
  if (config.cache_dir !== null) config.cache_dir = resolve(baseDir, config.cache_dir);
  config.scope = config.scope.map((s) => resolve(baseDir, s));
  return { config, warnings };
}

function fromToml(path: string): LoadedConfig {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = e.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw new ConfigError(
        `Invalid TOML in ${path} at line ${e.line}, column ${e.column}: ${reason}`,
      );
    }
    throw new ConfigError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  return { ...check(raw, path, dirname(path)), source: path, baseDir: dirname(path) };
}

function fromJson(path: string): LoadedConfig | null {
  let data: unknown;
  try {
    data = parseJsonc(readFileSync(path, "utf8"));
  } catch {
    return null; // the runtime reports a broken deno.json/package.json itself
  }
  const section = (data as Record<string, unknown> | null)?.tracepatch;
  if (section === undefined) return null;
  const where = `${path} ("tracepatch" key)`;
  if (section === null || typeof section !== "object" || Array.isArray(section)) {
    throw new ConfigError(`Invalid ${where}: expected an object`);
  }
  return {
    ...check(section as Record<string, unknown>, where, dirname(path)),
    source: where,
    baseDir: dirname(path),
  };
}

/**
 * Find and read the configuration.
 *
 * @param options `cwd` to search from; `file` to read one file instead (TOML, or JSON with a
 *   "tracepatch" key).
 * @returns The effective configuration, where it came from and warnings (unknown keys).
 */
export function loadConfig(options: { cwd: string; file?: string }): LoadedConfig {
  if (options.file !== undefined) {
    const path = resolve(options.cwd, options.file);
    if (!existsSync(path)) {
      throw new ConfigError(`Cannot read config "${options.file}": file not found`);
    }
    if (path.endsWith(".json") || path.endsWith(".jsonc")) {
      const found = fromJson(path);
      if (found === null) throw new ConfigError(`${path} has no "tracepatch" key`);
      return found;
    }
    return fromToml(path);
  }
  // The nearest folder that configures tph wins; in one folder, tracepatch.toml first.
  for (let dir = resolve(options.cwd);; dir = dirname(dir)) {
    const toml = join(dir, "tracepatch.toml");
    if (existsSync(toml)) return fromToml(toml);
    for (const name of ["deno.json", "deno.jsonc", "package.json"]) {
      const p = join(dir, name);
      if (existsSync(p)) {
        const found = fromJson(p);
        if (found !== null) return found;
      }
    }
    if (dirname(dir) === dir) break;
  }
  return {
    config: structuredClone(DEFAULT_CONFIG) as TphConfig,
    source: null,
    baseDir: resolve(options.cwd),
    warnings: [],
  };
}
