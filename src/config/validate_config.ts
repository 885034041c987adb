import { closest } from "./closest.ts";
import { ConfigError } from "./config_error.ts";
import { namePatternProblem, valuePatternProblem } from "../run_file/limits.ts";
import {
  CONFIG_KEYS,
  type ConfigKind,
  DEFAULT_CONFIG,
  TEST_KEY,
  type TphConfig,
  TRACEPATCH_ONLY_KEYS,
} from "./default_config.ts";
import { Array, Date, JSON, Number, Object, String, structuredClone } from "../platform/globals.ts";

/** What {@linkcode validateConfig} returns. */
export interface ValidatedConfig {
  /** The defaults with the given keys applied. */
  config: TphConfig;
  /** The keys the source sets, in its order. */
  keys: (keyof TphConfig)[];
  /** One line per unknown or ignored key. */
  warnings: string[];
  /** The `test` tables as written (`tph setup` checks them); undefined when absent. */
  test: unknown;
}

const EXPECTED: Record<ConfigKind, string> = {
  "string[]": "a list of strings",
  "positive integer": "a positive integer",
  "count or all": 'a whole number or "all"',
  "positive number": "a positive number",
  "boolean": "true or false",
  "string or null": "a string",
  "tree style": '"ascii" or "unicode"',
  "names or false": "a list of names, or true or false",
  "regexes": "a list of regular expressions (strings)",
};

function describe(v: unknown): string {
  if (typeof v === "string") return `${JSON.stringify(v)} (a string)`;
  if (Array.isArray(v)) {
    return `a list${v.length === 0 ? "" : ` (${JSON.stringify(v).slice(0, 40)})`}`;
  }
  if (v instanceof Date) return "a date";
  if (v === null) return "null";
  if (typeof v === "object") return "a table";
  return String(v);
}

function accepts(kind: ConfigKind, v: unknown): boolean {
  switch (kind) {
    case "string[]":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "positive integer":
      return typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
    case "positive number":
      return typeof v === "number" && Number.isFinite(v) && v > 0;
    case "count or all":
      return v === "all" || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
    case "boolean":
      return typeof v === "boolean";
    case "string or null":
      return v === null || typeof v === "string";
    case "tree style":
      return v === "ascii" || v === "unicode";
    case "names or false":
      return typeof v === "boolean" || accepts("string[]", v);
    case "regexes":
      return accepts("string[]", v);
  }
}

/** Why one of the patterns of `redact` or `redact_values` cannot be used, or null. */
function patternProblem(kind: ConfigKind, value: unknown): string | null {
  if (kind !== "names or false" && kind !== "regexes") return null;
  if (!Array.isArray(value)) return null;
  for (const p of value as string[]) {
    const problem = kind === "regexes" ? valuePatternProblem(p) : namePatternProblem(p);
    if (problem !== null) {
      return `${kind === "regexes" ? "regular expression" : "name"} ${JSON.stringify(p)}` +
        ` cannot be used: ${problem}`;
    }
  }
  return null;
}

/**
 * Why a value cannot be a key's value, or null when it can: the rule the config file and the
 * command line's flags (`--max-calls` for `max_calls`…) share.
 *
 * @param key The config key.
 * @param value The value, as a config file would hold it (a flag's number as a number).
 * @returns What the value must be, e.g. `a positive integer`; null when it is accepted.
 *
 * @example
 * ```ts
 * import { configValueProblem } from "./src/config/validate_config.ts";
 * console.log(configValueProblem("max_repr", 0)); // a positive integer
 * console.log(configValueProblem("max_repr", 80)); // null
 * ```
 */
export function configValueProblem(key: keyof TphConfig, value: unknown): string | null {
  const kind = CONFIG_KEYS[key];
  return accepts(kind, value) ? null : EXPECTED[kind];
}

/**
 * Check the keys of a config table and apply them over the defaults.
 *
 * @param raw The table (parsed TOML, or the `"tracepatch"` object of a JSON file).
 * @param where How messages name the source, e.g. `tracepatch.toml`.
 * @returns The config, the keys set, and warnings for unknown keys (with "did you mean").
 * @throws {ConfigError} For a value of the wrong type, naming source, key and expected type.
 *
 * @example
 * ```ts
 * import { validateConfig } from "./src/config/validate_config.ts";
 * const { config, warnings } = validateConfig({ max_depth: 5, max_dept: 1 }, "tracepatch.toml");
 * console.log(config.max_depth, warnings[0]); // 5 Unknown key "max_dept" … (did you mean "max_depth"?)
 * ```
 */
export function validateConfig(raw: Record<string, unknown>, where: string): ValidatedConfig {
  const config: TphConfig = structuredClone({ ...DEFAULT_CONFIG }) as TphConfig;
  const keys: (keyof TphConfig)[] = [];
  const warnings: string[] = [];
  let test: unknown = undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (key === TEST_KEY) {
      test = value;
      continue;
    }
    if (!Object.hasOwn(CONFIG_KEYS, key)) {
      if (TRACEPATCH_ONLY_KEYS.includes(key)) {
        warnings.push(
          `Ignoring "${key}" in ${where}: a tracepatch (Python) setting tph does not use`,
        );
        continue;
      }
      const guess = closest(key, Object.keys(CONFIG_KEYS));
      warnings.push(
        `Unknown key "${key}" in ${where}${guess === null ? "" : ` (did you mean "${guess}"?)`}`,
      );
      continue;
    }
    const k = key as keyof TphConfig;
    const kind = CONFIG_KEYS[k];
    const expected = configValueProblem(k, value);
    if (expected !== null) {
      throw new ConfigError(
        `Invalid config in ${where}: "${key}" must be ${expected}, got ${describe(value)}`,
      );
    }
    const problem = patternProblem(kind, value);
    if (problem !== null) throw new ConfigError(`Invalid config in ${where}: "${key}": ${problem}`);
    // `redact = true`: the default names only.
    const v = kind === "names or false" && value === true ? [] : value;
    (config as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
    keys.push(k);
  }
  return { config, keys, warnings, test };
}
