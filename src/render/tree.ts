// A call tree as text: the library's trace().tree(), `tph run --tree`, and for saved runs. Drawn
// by the one drawer `tph tree` uses (draw_calls.ts), from the tree's calls as records.

import type { CallNodeJSON } from "../types.ts";
import { countBelow, nodeCalls } from "../run_file/call_records.ts";
import { drawCalls, LineWriter, TextLines } from "./draw_calls.ts";
import type { TreeOptions } from "./tree_lines.ts";
import { TextDecoder, Uint8Array } from "../platform/globals.ts";

export { countBelow };

export {
  formatDuration,
  INDENT_LEVELS,
  type LabelParts,
  labelValue,
  type TreeDrawer,
  treeDrawer,
  type TreeOptions,
} from "./tree_lines.ts";

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
  // Read down to maxDepth, a tree says in `cut` what is below the calls there.
  const calls = nodeCalls(roots, options.cut, options.maxDepth);
  // Drawn as bytes (twice as fast as text on a large tree) and decoded; drawn again as text when
  // a text had a lone surrogate, which UTF-8 cannot hold (the string keeps it as it is).
  const chunks: Uint8Array[] = [];
  const bytes = new LineWriter((b, n) => (chunks.push(b.slice(0, n)), true), 1 << 16);
  drawCalls(calls, options, bytes);
  if (bytes.lossy) {
    const lines = new TextLines();
    drawCalls(calls, options, lines);
    return lines.toString();
  }
  let all = chunks[0] ?? new Uint8Array(0);
  if (chunks.length > 1) {
    all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) all.set(c, (at += c.length) - c.length);
  }
  // Without the last line's end.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(all.subarray(0, all.length - 1));
}
