import { limitKeys } from "../run_file/limits.ts";
import { Object } from "../platform/globals.ts";

/** tph's settings, as `tracepatch.toml` (or a `"tracepatch"` key in deno.json or package.json)
 * spells them: snake_case, like tracepatch. */
export interface TphConfig {
  /** Module path prefixes whose calls are not recorded (their callees still are). */
  ignore_modules: string[];
  /** Deepest call nesting recorded. */
  max_depth: number;
  /** Most calls recorded in one run. */
  max_calls: number;
  /** Longest repr of an argument or return value, in characters. */
  max_repr: number;
  /**
   * The detail budget: calls of each function whose objects are described in full (later ones
   * are summarised, `Token {…}`, but for calls that throw); "all" describes every call.
   */
  details: number | "all";
  /** Save runs to the cache folder. */
  cache: boolean;
  /** The cache folder, relative to the config file; null: `<project root>/.tracepatch_cache`. */
  cache_dir: string | null;
  /** Most runs the cache folder keeps: older ones are removed after each save; null: no bound. */
  max_runs: number | null;
  /** Most megabytes (10^6 bytes) of runs the cache folder keeps, likewise; null: no bound. */
  max_cache_mb: number | null;
  /** Label of runs started without `--label`. */
  default_label: string | null;
  /** Show arguments in trees. */
  show_args: boolean;
  /** Show return values in trees. */
  show_return: boolean;
  /** Tree connectors. tracepatch defaults to ascii; tph to unicode, as its README shows. */
  tree_style: "ascii" | "unicode";
  /** Folders (relative to the config file) whose files are traced; empty: the program's folder. */
  scope: string[];
  /** Globs on module path or qualified name; when given, only matching calls are recorded. */
  include: string[];
  /** Globs on module path or qualified name whose calls are not recorded. */
  exclude: string[];
  /** Record calls from traced code into packages and built-ins. */
  external_calls: boolean;
  /** Add a W3C traceparent to the program's outgoing fetch and http requests (recorded runs). */
  propagate: boolean;
  /** More secret names (besides password, token, apiKey…); false: nothing is redacted. */
  redact: string[] | false;
  /** Regexes whose matches in stored values are replaced by "[redacted]". */
  redact_values: string[];
  /** Redact secrets of an unmistakable form by value (private keys, tokens, JWTs…). */
  redact_known: boolean;
  /** Store each finished `trace()` block in the cache folder as a run of its own. */
  auto_save: boolean;
  /** `tph run` records only inside `trace()` blocks (as `tph run --blocks`). */
  blocks_only: boolean;
  /**
   * `tph run` records the processes of JavaScript runtimes and the workers the program starts,
   * each as a run of its own (false: as `tph run --no-follow`).
   */
  follow_children: boolean;
  /**
   * A program that serves HTTP gets a run per request (stored as its response ends) and one of
   * the calls outside requests; false: one run for the whole process (as `tph run --one-run`).
   */
  run_per_request: boolean;
  /**
   * False: every `trace()` block is a no-op and the register entry instruments nothing (for
   * production; `TPH_DISABLE=1` does the same). `tph run` still traces the whole program.
   */
  enabled: boolean;
}

/**
 * The settings tph uses when no config says otherwise (tracepatch's defaults, plus tph's own).
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG } from "./src/config/default_config.ts";
 * console.log(DEFAULT_CONFIG.max_calls); // 100000
 * ```
 */
export const DEFAULT_CONFIG: Readonly<TphConfig> = Object.freeze({
  ignore_modules: [],
  ...limitKeys({}),
  cache: true,
  cache_dir: null,
  max_runs: null,
  max_cache_mb: null,
  default_label: null,
  show_args: true,
  show_return: true,
  tree_style: "unicode",
  scope: [],
  include: [],
  exclude: [],
  external_calls: true,
  propagate: true,
  redact: [],
  redact_values: [],
  redact_known: true,
  auto_save: true,
  blocks_only: false,
  follow_children: true,
  run_per_request: true,
  enabled: true,
});

/** What a value of a config key must be; {@linkcode CONFIG_KEYS} maps every key to one. */
export type ConfigKind =
  | "string[]"
  | "positive integer"
  | "count or all"
  | "positive number"
  | "boolean"
  | "string or null"
  | "tree style"
  | "names or false"
  | "regexes";

/**
 * Every key tph reads, with the kind of value it takes, in the order `tph config` lists them.
 *
 * @example
 * ```ts
 * import { CONFIG_KEYS } from "./src/config/default_config.ts";
 * console.log(CONFIG_KEYS.max_depth); // "positive integer"
 * ```
 */
export const CONFIG_KEYS: Readonly<Record<keyof TphConfig, ConfigKind>> = Object.freeze({
  max_depth: "positive integer",
  max_calls: "positive integer",
  max_repr: "positive integer",
  details: "count or all",
  ignore_modules: "string[]",
  scope: "string[]",
  include: "string[]",
  exclude: "string[]",
  external_calls: "boolean",
  propagate: "boolean",
  redact: "names or false",
  redact_values: "regexes",
  redact_known: "boolean",
  cache: "boolean",
  cache_dir: "string or null",
  max_runs: "positive integer",
  max_cache_mb: "positive number",
  default_label: "string or null",
  show_args: "boolean",
  show_return: "boolean",
  tree_style: "tree style",
  auto_save: "boolean",
  blocks_only: "boolean",
  follow_children: "boolean",
  run_per_request: "boolean",
  enabled: "boolean",
});

/**
 * Keys of tracepatch (the Python tool) that tph knows but does not use: a config shared with it
 * gets a gentle warning for them rather than "unknown key".
 */
export const TRACEPATCH_ONLY_KEYS: readonly string[] = [];

/** The key of `tph setup`'s tables (`[[test.files]]`, `[[test.inputs]]`): checked by setup. */
export const TEST_KEY = "test";
