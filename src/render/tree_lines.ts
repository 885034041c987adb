// What a call tree's lines are made of — connectors, labels' pieces, times, the lines that count
// what is not drawn — for the drawer (draw_calls.ts) and the diff's tree.

import type { CallNodeJSON } from "../types.ts";
import { safeText } from "./safe_text.ts";
import { Map, Math } from "../platform/globals.ts";

/** Options of {@linkcode renderTree}. */
export interface TreeOptions {
  /** Connectors: `ascii` (`|-- `, `` `-- ``) or `unicode` (`├── `, `└── `). Default unicode. */
  style?: "ascii" | "unicode";
  /** Show arguments. Default true. */
  showArgs?: boolean;
  /** Show return values. Default true. */
  showReturn?: boolean;
  /** Deepest level drawn (roots are level 1); the calls below are summed up in one line. */
  maxDepth?: number;
  /** Keep only calls whose name contains this text, with their callers and their callees. */
  filter?: string;
  /** ANSI colours. Default false. */
  color?: boolean;
  /** Unit of times: `auto` (µs below 1 ms, ms below 1 s, else s), `us`, `ms` or `s`. */
  timeUnit?: "auto" | "us" | "ms" | "s";
  /** Why limits left calls out (a run's `limit_reason`), shown on the lines that count them. */
  limitReason?: string | null;
  /** Calls left out at the top level (with no recorded caller); a last line counts them. */
  rootDropped?: number;
  /** Calls whose children were not read (a run read down to `maxDepth`): what is below them. */
  cut?: Map<CallNodeJSON, { calls: number; dropped: number }>;
  /**
   * Fit each line in this many columns: argument and return values are cut (with `…`) to what
   * the line has room for, the shortest kept whole. Default: no bound (full lines).
   */
  width?: number;
}

/** Columns a label piece takes: its text without colour codes. */
export function visibleLength(text: string): number {
  // deno-lint-ignore no-control-regex -- ANSI colour codes
  return text.includes("\x1b") ? text.replace(/\x1b\[[0-9;]*m/g, "").length : text.length;
}

/**
 * Values cut to fit `room` columns together: the shortest are kept whole, and each of the others
 * gets an equal share of what is left, ending in `…` (never less than `…` itself).
 *
 * @param values The values' texts, in order.
 * @param room The columns they may take together.
 * @returns The values, cut where needed.
 */
export function fitValues(values: string[], room: number): string[] {
  let total = 0;
  for (const v of values) total += v.length;
  if (total <= room) return values;
  const order = values.map((_, i) => i).sort((a, b) => values[a].length - values[b].length);
  const out = values.slice();
  let left = Math.max(room, values.length);
  let remaining = values.length;
  for (const i of order) {
    const share = Math.floor(left / remaining--);
    if (values[i].length > share) out[i] = cutText(values[i], share);
    left -= out[i].length;
  }
  return out;
}

/** A text cut to `width` characters, its last one `…` (no half of a surrogate pair left). */
function cutText(text: string, width: number): string {
  if (width <= 1) return "…";
  let end = width - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + "…";
}

const CONNECTORS = {
  unicode: { mid: "├── ", last: "└── ", bar: "│   ", gap: "    " },
  ascii: { mid: "|-- ", last: "`-- ", bar: "|   ", gap: "    " },
};

const ANSI = {
  dim: "\x1b[2m",
  red: "\x1b[31m",
  cyan: "\x1b[36m",
  yellow: "\x1b[33m",
  magenta: "\x1b[35m",
  off: "\x1b[0m",
};

/**
 * Format a duration in milliseconds.
 *
 * @param ms The duration.
 * @param unit `auto` picks µs below 1 ms, ms below 1 s, else s.
 * @returns For example `12µs`, `3.21ms`, `1.50s`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./src/render/tree.ts";
 * console.log(formatDuration(0.012), formatDuration(3.214)); // 12µs 3.21ms
 * ```
 */
export function formatDuration(ms: number, unit: TreeOptions["timeUnit"] = "auto"): string {
  const u = unit === "auto" ? (ms < 1 ? "us" : ms < 1000 ? "ms" : "s") : unit;
  if (u === "us") return `${Math.round(ms * 1000)}µs`;
  if (u === "ms") return `${ms.toFixed(2)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Levels of indentation drawn; deeper lines show their depth as a number. */
export const INDENT_LEVELS = 64;

function oneLine(text: string): string {
  return safeText(text.includes("\r") ? text.replace(/\r\n/g, "\n") : text);
}

/**
 * The pieces a call's label is made of, colours included, so that a drawer working on bytes
 * draws exactly the lines {@linkcode renderTree} draws:
 * `[async ]name(key=value, …) -> value [ext]  [12µs]`.
 */
export interface LabelParts {
  /** Before the name of an async function. */
  async: string;
  /** The name and the opening parenthesis. */
  name(name: string): string;
  /** Before an argument's value (`key=`; nothing for an external call's). */
  key(key: string): string;
  /** Between arguments. */
  comma: string;
  /** After the arguments. */
  close: string;
  /** Before a return value. */
  returns: string;
  /** Around a thrown error. */
  throws: readonly [string, string];
  /** After an external call's arguments and value. */
  external: string;
  /** A call open when the run ended, instead of its time. */
  unfinished: string;
  /** Around the time. */
  time: readonly [string, string];
  /** Whether arguments, return values are shown. */
  showArgs: boolean;
  showReturn: boolean;
  /** The unit of times. */
  timeUnit: TreeOptions["timeUnit"];
}

/** A value as a label shows it: on one line, safe to print. */
export function labelValue(text: string): string {
  return oneLine(text);
}

/** The lines of a call tree, drawn one at a time. */
export interface TreeDrawer {
  /** What labels are made of. */
  parts: LabelParts;
  /** What comes before the label in `call`'s line. */
  lead(prefix: string, depth: number, last: boolean): string;
  connector(last: boolean): string;
  /** The prefix of the lines below a call drawn with `call(prefix, depth, last, …)`. */
  inner(prefix: string, depth: number, last: boolean): string;
  /** The line summing up what is below a call not opened (null when nothing is). */
  below(inner: string, depth: number, calls: number, dropped: number): string | null;
  /** The line counting calls limits left out at the end of a list of calls. */
  leftOut(prefix: string, depth: number, dropped: number): string;
}

/**
 * How a call tree's lines are drawn, with the options of {@linkcode renderTree}.
 *
 * @param options Connectors, what to show, colours, time unit and the limit reason.
 */
export function treeDrawer(options: TreeOptions = {}): TreeDrawer {
  const c = CONNECTORS[options.style ?? "unicode"];
  const paint = (code: string, text: string) => options.color ? code + text + ANSI.off : text;
  const off = options.color ? ANSI.off : "";
  const why = options.limitReason ? ` (${options.limitReason})` : " by limits";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts: LabelParts = {
    async: paint(ANSI.magenta, "async "),
    name: (name) => paint(ANSI.cyan, safeText(name)) + "(",
    key: (key) => oneLine(key) + "=",
    comma: ", ",
    close: ")",
    returns: " -> ",
    throws: [" " + (options.color ? ANSI.red : "") + "!! ", off],
    external: " " + paint(ANSI.dim, "[ext]"),
    unfinished: "  " + paint(ANSI.yellow, "[unfinished]"),
    time: ["  " + (options.color ? ANSI.dim : "") + "[", "]" + off],
    showArgs: options.showArgs ?? true,
    showReturn: options.showReturn ?? true,
    timeUnit: options.timeUnit,
  };
  // A prefix past INDENT_LEVELS holds "{depth}", where the line's own depth goes.
  const at = (prefix: string, depth: number) =>
    depth > INDENT_LEVELS ? prefix.replace("{depth}", `[depth ${depth}]`) : prefix;
  return {
    lead: (prefix, depth, last) => at(prefix, depth) + (last ? c.last : c.mid),
    parts,
    connector: (last) => last ? c.last : c.mid,
    // Past INDENT_LEVELS the indentation stops growing and each line says its depth instead:
    // a deep run renders in time and text linear in its calls, not in their depth squared.
    inner: (prefix, depth, last) =>
      depth < INDENT_LEVELS
        ? prefix + (last ? c.gap : c.bar)
        : depth === INDENT_LEVELS
        ? prefix + (last ? c.gap : c.bar) + "{depth} "
        : prefix,
    below(inner, depth, calls, dropped) {
      if (calls + dropped === 0) return null;
      const more = calls > 0 ? `… ${plural(calls, "more call")}` : "…";
      const out = dropped > 0 ? `${calls > 0 ? "," : ""} ${dropped} left out${why}` : "";
      return at(inner, depth + 1) + c.last + paint(ANSI.dim, more + out);
    },
    leftOut: (prefix, depth, dropped) =>
      at(prefix, depth) + c.last + paint(ANSI.dim, `… ${plural(dropped, "call")} left out${why}`),
  };
}
