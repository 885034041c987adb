import type { CallNodeJSON } from "../types.ts";
import { safeText } from "./safe_text.ts";

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

/**
 * How many calls some call trees hold, their roots included.
 *
 * @param nodes The roots, e.g. a run's `trace` or one node's `children`.
 * @returns The number of calls.
 *
 * @example
 * ```ts
 * import { countCalls } from "./src/render/tree.ts";
 * declare const run: import("./src/types.ts").RunJSON;
 * console.log(countCalls(run.trace) === run.call_count);
 * ```
 */
export function countCalls(nodes: CallNodeJSON[]): number {
  return countBelow(nodes).calls;
}

/** Calls in some trees (roots included) and the calls limits left out under them. */
export function countBelow(nodes: CallNodeJSON[]): { calls: number; dropped: number } {
  let calls = 0, dropped = 0;
  const stack = [...nodes];
  while (stack.length > 0) {
    const n = stack.pop()!;
    calls++;
    dropped += n.dropped ?? 0;
    for (const c of n.children) stack.push(c);
  }
  return { calls, dropped };
}

/**
 * The calls whose name contains `text`, each with its whole subtree, and the calls that lead to
 * them. Iterative (post-order): deeply recursive traces must not overflow the stack.
 */
function filterTree(roots: CallNodeJSON[], text: string): CallNodeJSON[] {
  const kept = new Map<CallNodeJSON, CallNodeJSON | null>();
  const stack: [CallNodeJSON, boolean][] = roots.map((r) => [r, false]);
  while (stack.length > 0) {
    const [n, visited] = stack.pop()!;
    if (n.name.includes(text)) kept.set(n, n);
    else if (!visited) {
      stack.push([n, true]);
      for (const c of n.children) stack.push([c, false]);
    } else {
      const children = n.children.map((c) => kept.get(c)!).filter((c) => c !== null);
      // A caller kept only as the path to a match: its own left-out count would be noise.
      kept.set(n, children.length > 0 ? { ...n, children, dropped: undefined } : null);
    }
  }
  return roots.map((r) => kept.get(r)!).filter((r) => r !== null);
}

/** Levels of indentation drawn; deeper lines show their depth as a number. */
export const INDENT_LEVELS = 64;

function oneLine(text: string): string {
  return safeText(text.includes("\r") ? text.replace(/\r\n/g, "\n") : text);
}

/**
 * Render a call tree as text, one line per call:
 * `└── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [12µs]`. Errors show as
 * `!! RangeError: bad amount -1`, external calls are marked `[ext]`, calls still open when the
 * run ended `[unfinished]`, and calls that limits left out are counted on a line of their own.
 *
 * @param roots The root calls (a run's `trace`).
 * @param options Connectors, what to show, depth, filter, colours and time unit.
 * @returns The text, without a trailing newline (empty for no calls).
 *
 * @example
 * ```ts
 * import { renderTree } from "./src/render/tree.ts";
 * const text = renderTree([{
 *   name: "add", module: "m.ts", file: "/m.ts", line: 1, args: { a: "1", b: "2" },
 *   return_value: "3", start_ms: 0, elapsed_ms: 0.004, children: [],
 * }]);
 * console.log(text); // └── add(a=1, b=2) -> 3  [4µs]
 * ```
 */
export function renderTree(roots: CallNodeJSON[], options: TreeOptions = {}): string {
  const draw = treeDrawer(options);
  const maxDepth = options.maxDepth ?? Infinity;
  const list = options.filter ? filterTree(roots, options.filter) : roots;
  interface Frame {
    nodes: CallNodeJSON[];
    next: number;
    prefix: string;
    depth: number;
    dropped: number;
  }
  const lines: string[] = [];
  const rootDropped = options.filter ? 0 : options.rootDropped ?? 0;
  const stack: Frame[] = [{ nodes: list, next: 0, prefix: "", depth: 1, dropped: rootDropped }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.next === f.nodes.length) {
      if (f.dropped > 0) lines.push(draw.leftOut(f.prefix, f.depth, f.dropped));
      stack.pop();
      continue;
    }
    const n = f.nodes[f.next++];
    const last = f.next === f.nodes.length && f.dropped === 0;
    lines.push(draw.call(f.prefix, f.depth, last, n));
    const inner = draw.inner(f.prefix, f.depth, last);
    if (f.depth >= maxDepth) {
      // A run read down to this depth says what is below (its calls were not read).
      const below = options.cut?.get(n) ?? countBelow(n.children);
      const line = draw.below(inner, f.depth, below.calls, below.dropped + (n.dropped ?? 0));
      if (line !== null) lines.push(line);
    } else if (n.children.length > 0 || (n.dropped ?? 0) > 0) {
      stack.push({
        nodes: n.children,
        next: 0,
        prefix: inner,
        depth: f.depth + 1,
        dropped: n.dropped ?? 0,
      });
    }
  }
  return lines.join("\n");
}

/**
 * The pieces a call's label is made of, colours included, so that a drawer working on bytes
 * (the streaming reader's) draws exactly the lines {@linkcode renderTree} draws:
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

/** The lines of a call tree, drawn one at a time (renderTree, and the streaming reader's tree). */
export interface TreeDrawer {
  /** A call's line, under `prefix`, at `depth` (roots: 1); `last` among its siblings. */
  call(prefix: string, depth: number, last: boolean, n: CallNodeJSON): string;
  /**
   * The parts of `call`'s line up to INDENT_LEVELS (where the prefix is drawn as it is):
   * `prefix + connector(last) + label(n)`.
   */
  label(n: CallNodeJSON): string;
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
  const p = parts;

  const label = (n: CallNodeJSON): string => {
    let text = (n.async ? p.async : "") + p.name(n.name);
    if (p.showArgs) {
      // External callees have no parameter names: their arguments go by position.
      let first = true;
      for (const k in n.args) {
        text += (first ? "" : p.comma) + (n.external ? "" : p.key(k)) + oneLine(n.args[k]);
        first = false;
      }
    }
    text += p.close;
    if (n.exception !== undefined) text += p.throws[0] + oneLine(n.exception) + p.throws[1];
    else if (p.showReturn && n.return_value !== null && !n.unfinished) {
      text += p.returns + oneLine(n.return_value);
    }
    if (n.external) text += p.external;
    if (n.unfinished || n.elapsed_ms === null) text += p.unfinished;
    else text += p.time[0] + formatDuration(n.elapsed_ms, p.timeUnit) + p.time[1];
    return text;
  };

  // A prefix past INDENT_LEVELS holds "{depth}", where the line's own depth goes.
  const at = (prefix: string, depth: number) =>
    depth > INDENT_LEVELS ? prefix.replace("{depth}", `[depth ${depth}]`) : prefix;
  return {
    call: (prefix, depth, last, n) => at(prefix, depth) + (last ? c.last : c.mid) + label(n),
    lead: (prefix, depth, last) => at(prefix, depth) + (last ? c.last : c.mid),
    label,
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
