// What a trace records: its limits and filters, as the CLI and the library hand them to the
// recorder and as a run's meta states them. The default limits are written here only (the
// config's defaults, the CLI's help, the library and the recorder read them here).

/** Deepest call level, most calls and longest value text a trace records by default. */
import { Error, RegExp } from "../platform/globals.ts";
export const DEFAULT_LIMITS = {
  maxDepth: 30,
  maxCalls: 100000,
  maxRepr: 120,
  details: 20,
} as const;

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
