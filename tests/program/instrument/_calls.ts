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
//
// Lines whose first non-space character is `#` are comments, and a line that starts with `[deno] `,
// `[bun] ` or `[node] ` holds for that runtime only (engine-made error messages differ), one that
// starts with `[deno,node] ` for those runtimes (Node 22 reads what is written for Node).
//
// The header: the case's options, in `# key: value` lines at the very top of the file (the first
// line of another form ends it; prose comments go after it). Like any line, an option line may
// start with `[deno] ` or `[bun] ` to hold for that runtime only. Keys (each at most once per
// runtime; an unknown key, a bad value, or an option line below the header fails the case):
//
//   # max_depth: 3            limits of the traced run (positive integers; default: tph's)
//   # max_calls: 5
//   # max_repr: 40
//   # externals: true         show calls out of the traced code (marked [external]) in the tree
//   # exit: 1                 exit code of both the plain and the traced run (default 0)
//   # ended: exception        how the trace says the program ended (default completed)
//   # limit_reason: max_calls the trace is limited, for this reason (default: not limited)...
//   # dropped_calls: 18       ...leaving out this many calls (required with limit_reason)...
//   # dropped_at_root: 10     ...this many of them at the root level (checked only if given)
//   # known_bug: <reason>     a known bug makes the case fail: skipped unless TPH_KNOWN_BUGS=1
//   [deno] # known_bug: <reason>   the same, on Deno only
//
// A runtime reads one file: `<case>.<runtime>.calls` where it exists, else `<case>.calls`. A
// runtime's own file replaces the common one whole, header included, so it carries every option
// that holds on that runtime (the header of `<case>.calls` is not read for it).

import type { CallNodeJSON } from "../../../src/types.ts";

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
 * lines whose first non-space character is `#` are comments (the header among them), and a line
 * that starts with `[deno] ` or `[bun] ` (before its indent) holds for that runtime only.
 *
 * @param text The file's text.
 * @param runtime The runtime the expectation is for (or it and the family it belongs to).
 * @returns The lines joined by "\n".
 */
export function parseCallsFile(text: string, runtime: string | readonly string[]): string {
  const names = typeof runtime === "string" ? [runtime] : runtime;
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    let line = raw.trimEnd();
    const only = /^\[([\w,]+)\] /.exec(line);
    if (only !== null) {
      if (!only[1].split(",").some((r) => names.includes(r))) continue;
      line = line.slice(only[0].length);
    }
    if (line === "" || line.trimStart().startsWith("#")) continue;
    out.push(line);
  }
  return out.join("\n");
}

/** The options of a spec case, from the header of its `.calls` file (see the module comment). */
export interface CaseOptions {
  /** Limits of the traced run (tph's defaults where absent). */
  limits: { maxDepth?: number; maxCalls?: number; maxRepr?: number };
  /** Show calls out of the traced code in the expected tree. */
  externals: boolean;
  /** Expected exit code of both runs. */
  exit: number;
  /** Expected `ending.ended` of the trace. */
  ended: string;
  /** Expected limit bookkeeping; null when the trace must not be limited. */
  limited: { reason: string; dropped: number; atRoot?: number } | null;
  /** The known bug that makes the case fail on this runtime, if any. */
  knownBug?: string;
}

/** The header's keys, and the option each one sets. */
const HEADER_KEYS = [
  "max_depth",
  "max_calls",
  "max_repr",
  "externals",
  "exit",
  "ended",
  "limit_reason",
  "dropped_calls",
  "dropped_at_root",
  "known_bug",
] as const;
type HeaderKey = typeof HEADER_KEYS[number];

/** `# key: value`, maybe for one runtime only. */
const OPTION_LINE = /^(?:\[([\w,]+)\] )?# ([a-z_]+):(?: (.*))?$/;

/**
 * The options of a case for one runtime, from the header of its `.calls` file.
 *
 * @param text The file's text.
 * @param runtime The runtime the options are for (or it and the family it belongs to).
 * @param runtimes Every runtime name a line may be marked with.
 * @returns The options, with the defaults where the header says nothing.
 * @throws Error naming the line, on an unknown key or runtime, a bad or repeated value, an option
 *   line below the header, or dropped counts without a limit reason (or the reverse).
 */
export function parseCallsHeader(
  text: string,
  runtime: string | readonly string[],
  runtimes: readonly string[] = ["deno", "bun"],
): CaseOptions {
  const names = typeof runtime === "string" ? [runtime] : runtime;
  const values = new Map<HeaderKey, string>();
  const lines = text.split("\n");
  let inHeader = true;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    const m = OPTION_LINE.exec(line);
    if (m === null || !inHeader) {
      inHeader = false;
      // An option line out of place would be read as a comment: say so instead.
      const key = /^(?:\[[\w,]+\] )?#\s*([a-z_]+):/.exec(line)?.[1];
      if (key !== undefined && (HEADER_KEYS as readonly string[]).includes(key)) {
        throw new Error(`${where}: option lines go in the header, at the top of the file`);
      }
      continue;
    }
    const [, marks, key, value = ""] = m;
    const only = marks?.split(",");
    const unknown = only?.find((r) => !runtimes.includes(r));
    if (unknown !== undefined) {
      throw new Error(`${where}: unknown runtime "${unknown}" (known: ${runtimes.join(", ")})`);
    }
    if (!(HEADER_KEYS as readonly string[]).includes(key)) {
      throw new Error(`${where}: unknown key "${key}" (known: ${HEADER_KEYS.join(", ")})`);
    }
    if (only !== undefined && !only.some((r) => names.includes(r))) continue;
    if (values.has(key as HeaderKey)) throw new Error(`${where}: "${key}" given twice`);
    if (value.trim() === "") throw new Error(`${where}: "${key}" needs a value`);
    values.set(key as HeaderKey, value.trim());
  }
  const int = (key: HeaderKey, min: number): number | undefined => {
    const v = values.get(key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min) {
      throw new Error(`"${key}" takes a whole number of at least ${min}, got "${v}"`);
    }
    return Number(v);
  };
  const word = (key: HeaderKey): string | undefined => {
    const v = values.get(key);
    if (v !== undefined && !/^[a-z_]+$/.test(v)) {
      throw new Error(`"${key}" takes a word (such as max_depth or exception), got "${v}"`);
    }
    return v;
  };
  const externals = values.get("externals");
  if (externals !== undefined && externals !== "true") {
    throw new Error(`"externals" takes only true (leave it out for false), got "${externals}"`);
  }
  const reason = word("limit_reason");
  const dropped = int("dropped_calls", 0);
  const atRoot = int("dropped_at_root", 0);
  if (reason === undefined && (dropped !== undefined || atRoot !== undefined)) {
    throw new Error('"dropped_calls" and "dropped_at_root" go with "limit_reason"');
  }
  if (reason !== undefined && dropped === undefined) {
    throw new Error('"limit_reason" needs "dropped_calls"');
  }
  const limits: CaseOptions["limits"] = {};
  const maxDepth = int("max_depth", 1);
  const maxCalls = int("max_calls", 1);
  const maxRepr = int("max_repr", 1);
  if (maxDepth !== undefined) limits.maxDepth = maxDepth;
  if (maxCalls !== undefined) limits.maxCalls = maxCalls;
  if (maxRepr !== undefined) limits.maxRepr = maxRepr;
  const options: CaseOptions = {
    limits,
    externals: externals === "true",
    exit: int("exit", 0) ?? 0,
    ended: word("ended") ?? "completed",
    limited: reason === undefined ? null : { reason, dropped: dropped! },
  };
  if (options.limited !== null && atRoot !== undefined) options.limited.atRoot = atRoot;
  const bug = values.get("known_bug");
  if (bug !== undefined) options.knownBug = bug;
  return options;
}
