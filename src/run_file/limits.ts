// What a trace records: its limits and filters, as the CLI and the library hand them to the
// recorder and as a run's meta states them. Each limit is declared once, in LIMITS below: its
// config key (which is also its field in a run's `config`), its option, its default.

import { Error, RegExp } from "../platform/globals.ts";
import type { TraceConfigJSON } from "../types.ts";

/**
 * The limits a trace records by, each once: its config key and the run's `config` field
 * (`max_calls`), its {@linkcode TraceLimits} option (`maxCalls`) and flag (`--max-calls`), and
 * its default. The config's defaults, the flags, the register entry, the library, the recorder
 * and what a run says it was made with all come from this table.
 */
export const LIMITS = [
  { key: "max_depth", option: "maxDepth", default: 30 },
  { key: "max_calls", option: "maxCalls", default: 100000 },
  { key: "max_repr", option: "maxRepr", default: 120 },
  { key: "details", option: "details", default: 20 },
] as const;

/** A limit of {@linkcode LIMITS}. */
export type Limit = typeof LIMITS[number];
/** A limit's config key, as a run's `config` states it too. */
export type LimitKey = Limit["key"];
/** A limit's option in {@linkcode TraceLimits}. */
export type LimitOption = Limit["option"];

type Defaults = { readonly [L in Limit as L["option"]]: L["default"] };

/** Deepest call level, most calls, longest value text and detail budget a trace records by default. */
export const DEFAULT_LIMITS: Defaults = (() => {
  const out: Record<string, number> = {};
  for (let i = 0; i < LIMITS.length; i++) out[LIMITS[i].option] = LIMITS[i].default;
  return out as Defaults;
})();

/** The limits by config key, as a run's `config` states them (the format's table, types.ts). */
export type LimitsByKey = Required<Pick<TraceConfigJSON, LimitKey>>;

/** The value a limit takes: a number, or for `details` also `"all"`. */
export type LimitValue = number | "all";

/**
 * The limits as options, from values by config key (a config, a run's `config`): each one's
 * value, or its default when absent.
 *
 * @example
 * ```ts
 * import { limitOptions } from "./src/run_file/limits.ts";
 * console.log(limitOptions({ max_calls: 50 }).maxCalls); // 50
 * ```
 */
export function limitOptions(
  byKey: Partial<Record<LimitKey, LimitValue>>,
): Pick<TraceLimits, LimitOption> {
  const out: Record<string, LimitValue> = {};
  for (let i = 0; i < LIMITS.length; i++) {
    const l = LIMITS[i];
    out[l.option] = byKey[l.key] ?? l.default;
  }
  return out as Pick<TraceLimits, LimitOption>;
}

/**
 * The limits by config key, as a run's `config` states them, from a trace's options: each one's
 * value, or its default when absent. (Indexed loops only: the recorder calls it inside the
 * program, which may have replaced the array iterator.)
 *
 * @example
 * ```ts
 * import { limitKeys } from "./src/run_file/limits.ts";
 * console.log(limitKeys({ maxCalls: 50 })); // { max_depth: 30, max_calls: 50, max_repr: 120, details: 20 }
 * ```
 */
export function limitKeys(options: Pick<TraceLimits, LimitOption>): LimitsByKey {
  const out: Record<string, LimitValue> = {};
  for (let i = 0; i < LIMITS.length; i++) {
    const l = LIMITS[i];
    out[l.key] = options[l.option] ?? l.default;
  }
  return out as LimitsByKey;
}

/** Limits and filters of a trace. */
export interface TraceLimits {
  /** Deepest call level recorded (roots are level 1). Default 30. */
  maxDepth?: number;
  /** Most calls recorded. Default 100000. */
  maxCalls?: number;
  /** Longest repr of an argument, return value or error. Default 120. */
  maxRepr?: number;
  /**
   * The detail budget: how many calls of each function have their object arguments and return
   * values described in full; later calls show a summary (`Token {…}`, `Array(3)`), but for a
   * call that throws and a call where `find` matched. `"all"` describes every call. Default 20.
   */
  details?: number | "all";
  /** Module path prefixes whose functions are not recorded (their callees still are). */
  ignoreModules?: string[];
  /** Glob patterns on the module path or qualified name; when given, only matches are recorded. */
  include?: string[];
  /** Glob patterns on the module path or qualified name that are not recorded. */
  exclude?: string[];
  /**
   * More names whose values are stored as `"[redacted]"` (parameters, object fields, functions'
   * return values), besides the default ones (`password`, `token`, `apiKey`…; see README,
   * "Security"); `false` turns redaction off, `redactValues` too.
   */
  redact?: string[] | false;
  /** Regexes whose matches in stored strings and reprs are replaced by `[redacted]`. */
  redactValues?: (string | RegExp)[];
  /**
   * False: secrets of an unmistakable form (private key blocks, AWS/Google/Stripe/GitHub/Slack
   * tokens, JWTs, Authorization and Bearer values, passwords in URLs) are not redacted by value.
   * Default true.
   */
  redactKnown?: boolean;
  /** Values to find in every call's arguments, return value and error (`tph run --find`). */
  find?: FindSpec[];
}

/** A target as `tph run --find` hands it to the program (JSON). */
export interface FindSpec {
  /** The target as written (`2`, `"abc"`, `^id-`). */
  text: string;
  /** The value: the text parsed as JSON when it parses, else the text. */
  value: unknown;
  /** A JS type (`number`, `string`, `boolean`, `bigint`, `null`, `undefined`) or class name. */
  type: string | null;
  /** `same`: this very object (the library's object targets: where does it go). */
  match: "equals" | "contains" | "regex" | "same";
}

/**
 * Why a name pattern of `redact` cannot be used, or null when it can: it must hold a letter or
 * a digit (`*` stands for any run of characters).
 *
 * @param pattern The pattern.
 */
export function namePatternProblem(pattern: string): string | null {
  return /[A-Za-z0-9]/.test(pattern) ? null : "it has no letter or digit";
}

/**
 * Why a regex of `redact_values` cannot be used, or null when it can: it must compile and must
 * not match the empty string (it would put "[redacted]" between every two characters).
 *
 * @param source The regex, as written in the configuration.
 */
export function valuePatternProblem(source: string | RegExp): string | null {
  let re: RegExp;
  try {
    re = typeof source === "string" ? new RegExp(source) : source;
  } catch (e) {
    // V8 quotes the regex (`/sk_(/: Unterminated group`), JavaScriptCore does not.
    return (e as Error).message.replace(/^Invalid regular expression: (?:\/.*\/[a-z]*: )?/, "");
  }
  return new RegExp(re.source, re.flags.replace(/[gy]/g, "")).test("")
    ? "it matches the empty string"
    : null;
}
