import type { CallNodeJSON } from "../types.ts";

/** Options of {@linkcode renderTree}. */
export interface TreeOptions {
  /** Connectors: `ascii` (`|--`, `` `--``) or `unicode` (`├──`, `└──`). Default unicode. */
  style?: "ascii" | "unicode";
  /** Show arguments. Default true. */
  showArgs?: boolean;
  /** Show return values. Default true. */
  showReturn?: boolean;
  /** Deepest level drawn (roots are level 1); deeper calls are summed up in one line. */
  maxDepth?: number;
  /** Keep only calls whose name contains this text, with the calls leading to them. */
  filter?: string;
  /** ANSI colours. Default false. */
  color?: boolean;
  /** Unit of times: `auto` (µs below 1 ms, ms below 1 s, else s), `us`, `ms` or `s`. */
  timeUnit?: "auto" | "us" | "ms" | "s";
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
  off: "\x1b[0m",
};

/**
 * Format a duration in milliseconds.
 *
 * @param ms The duration.
 * @param unit `auto` picks µs, ms or s by size.
 * @returns For example `12µs`, `3.21ms`, `1.50s`.
 */
export function formatDuration(ms: number, unit: TreeOptions["timeUnit"] = "auto"): string {
  const u = unit === "auto" ? (ms < 1 ? "us" : ms < 1000 ? "ms" : "s") : unit;
  if (u === "us") return `${Math.round(ms * 1000)}µs`;
  if (u === "ms") return `${ms.toFixed(2)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

function countCalls(nodes: CallNodeJSON[]): number {
  let n = 0;
  for (const node of nodes) n += 1 + countCalls(node.children) + (node.dropped ?? 0);
  return n;
}

function keep(node: CallNodeJSON, text: string): CallNodeJSON | null {
  const children = node.children.map((c) => keep(c, text)).filter((c) => c !== null);
  if (node.name.includes(text) || children.length > 0) {
    return { ...node, children: children as CallNodeJSON[] };
  }
  return null;
}

/**
 * Render a call tree as text, one line per call:
 * `└── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [12µs]`.
 *
 * @param roots The root calls (a run's `trace`).
 * @param options Connectors, what to show, depth, filter, colours and time unit.
 * @returns The text, without a trailing newline (empty string for no calls).
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
  const c = CONNECTORS[options.style ?? "unicode"];
  const showArgs = options.showArgs ?? true;
  const showReturn = options.showReturn ?? true;
  const maxDepth = options.maxDepth ?? Infinity;
  const paint = (code: string, text: string) => options.color ? code + text + ANSI.off : text;
  const lines: string[] = [];
  const list = options.filter
    ? roots.map((r) => keep(r, options.filter!)).filter((r) => r !== null) as CallNodeJSON[]
    : roots;

  const label = (n: CallNodeJSON): string => {
    let args = "";
    if (showArgs) {
      const entries = Object.entries(n.args);
      args = n.external
        ? entries.map(([, v]) => v).join(", ")
        : entries.map(([k, v]) => `${k}=${v}`).join(", ");
    }
    let text = (n.async ? paint(ANSI.dim, "async ") : "") + paint(ANSI.cyan, n.name) + `(${args})`;
    if (n.exception !== undefined) text += " " + paint(ANSI.red, `!! ${n.exception}`);
    else if (showReturn && n.return_value !== null && !n.unfinished) {
      text += ` -> ${n.return_value}`;
    }
    if (n.external) text += " " + paint(ANSI.dim, "[ext]");
    if (n.unfinished || n.elapsed_ms === null) text += "  " + paint(ANSI.yellow, "[unfinished]");
    else text += "  " + paint(ANSI.dim, `[${formatDuration(n.elapsed_ms, options.timeUnit)}]`);
    return text;
  };

  const walk = (nodes: CallNodeJSON[], prefix: string, depth: number, dropped: number) => {
    const extra = dropped > 0 ? 1 : 0;
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1 && extra === 0;
      lines.push(prefix + (last ? c.last : c.mid) + label(n));
      const inner = prefix + (last ? c.gap : c.bar);
      if (depth >= maxDepth) {
        const hidden = countCalls(n.children) + (n.dropped ?? 0);
        if (hidden > 0) {
          lines.push(
            inner + c.last + paint(ANSI.dim, `… ${hidden} more call${hidden === 1 ? "" : "s"}`),
          );
        }
      } else walk(n.children, inner, depth + 1, n.dropped ?? 0);
    });
    if (dropped > 0) {
      lines.push(
        prefix + c.last +
          paint(ANSI.dim, `… ${dropped} call${dropped === 1 ? "" : "s"} left out by limits`),
      );
    }
  };
  walk(list, "", 1, 0);
  return lines.join("\n");
}
