// The text form of a recorded call tree that the spec suite compares with the hand-written
// `tests/fixtures/instrument/<case>.calls` files: one line per call, two spaces of indent per
// depth:
//
//   name(a=1, b="x") -> 42
//   name(x=-1) !! RangeError: bad amount -1
//   gen(n=3) [unfinished]
//   outer() -> undefined [dropped 2]
//
// Calls out of the traced code (`console.log`, `Promise.all`, timers) are left out unless asked
// for; a traced call made under one (a callback) then takes its place at the same depth.

import type { CallNodeJSON } from "../../src/types.ts";

/** Options of {@linkcode formatCalls}. */
export interface FormatOptions {
  /** Show external calls (marked ` [external]`) instead of leaving them out. Default false. */
  externals?: boolean;
}

/** One call's line, without indent. */
export function formatCall(node: CallNodeJSON): string {
  const args = Object.entries(node.args).map(([k, v]) => `${k}=${v}`).join(", ");
  let line = `${node.name}(${args})`;
  if (node.exception !== undefined) line += ` !! ${node.exception}`;
  else if (!node.unfinished) line += ` -> ${node.return_value}`;
  if (node.unfinished) line += " [unfinished]";
  if (node.external) line += " [external]";
  if (node.dropped !== undefined) line += ` [dropped ${node.dropped}]`;
  return line;
}

/**
 * The call tree as text, one line per call (see the module comment).
 *
 * @param nodes Root nodes of a trace.
 * @param options Whether external calls are shown.
 * @returns The lines joined by "\n" (no trailing newline).
 */
export function formatCalls(nodes: CallNodeJSON[], options: FormatOptions = {}): string {
  const lines: string[] = [];
  const visit = (list: CallNodeJSON[], depth: number) => {
    for (const node of list) {
      if (node.external && !options.externals) {
        visit(node.children, depth);
        continue;
      }
      lines.push("  ".repeat(depth) + formatCall(node));
      visit(node.children, depth + 1);
    }
  };
  visit(nodes, 0);
  return lines.join("\n");
}

/**
 * The expected lines of a `.calls` file for one runtime: trailing spaces and blank lines dropped,
 * lines whose first non-space character is `#` are comments, and a line that starts with
 * `[deno] ` or `[bun] ` (before its indent) holds for that runtime only (engine-made error
 * messages differ).
 *
 * @param text The file's text.
 * @param runtime The runtime the expectation is for.
 * @returns The lines joined by "\n".
 */
export function parseCallsFile(text: string, runtime: string): string {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    let line = raw.trimEnd();
    const only = /^\[(\w+)\] /.exec(line);
    if (only !== null) {
      if (only[1] !== runtime) continue;
      line = line.slice(only[0].length);
    }
    if (line === "" || line.trimStart().startsWith("#")) continue;
    out.push(line);
  }
  return out.join("\n");
}
