// The calls of a run as every reader sees them: one record at a time, in pre-order, with its depth
// and the calls below it. A run file in tph's format is scanned from its bytes (the store's
// reader); a tree of calls in memory (a JSON run, the library's trace) through the adapter here,
// which gives the same records with the values the JSON holds, at their full precision. So the
// drawer, the exports, find and diff read one shape, and the filter's rule is written once.

import type { CallNodeJSON } from "../types.ts";
import { type FunctionEntry, STATE_MASK } from "./format.ts";
import { FN_ASYNC, FN_EXTERNAL, stateOfNode, THREW, UNFINISHED } from "./call_state.ts";
import { Float64Array, Int32Array, Map, Math, Object, Uint8Array } from "../platform/globals.ts";

/**
 * One call as a scan hands it over. The object is reused: it holds a call only while the visit
 * it is given to runs.
 */
export interface CallRecord {
  /** Where `nodeAt` finds it again. */
  readonly position: number;
  /** Index into the functions table. */
  readonly fn: number;
  /** Its state (`flags & STATE_MASK`), and the run format's other flag bits. */
  readonly flags: number;
  /** Calls in its subtree, itself excluded. */
  readonly descendants: number;
  /** µs from the trace's start (whole). */
  readonly start: number;
  /** µs, whole (-1: no time, a call still open when the run ended). */
  readonly elapsed: number;
  /** Its time in ms as recorded (a JSON run's may be finer than 1 µs). */
  readonly elapsedMs: number;
  /** Arguments; values are the arguments, then the return value or exception (if it ended). */
  readonly args: number;
  readonly values: number;
  /** The arguments' names (their positions for an external call in tph's format). */
  readonly argNames: readonly string[];
  /** Calls limits left out under it, and under its descendants. */
  readonly dropped: number;
  readonly droppedBelow: number;
  /** µs of its time it spent suspended (awaiting, between yields); 0: none. */
  readonly awaited: number;
  /** What a line about it shows (SHOWS_*), or -1: what its state says (see shownOf). */
  readonly shows: number;
  /**
   * Per value: its tag as the run format stores it (whole number: odd; text: length * 4, + 2
   * when its bytes are a JSON string literal's inside). TEXT_ONLY: ask `text`.
   */
  readonly tags: readonly number[];
  /** The buffer holding value k's bytes (a text's tag only), and where they start in it. */
  bufOf(k: number): Uint8Array;
  offset(k: number): number;
  /** Value k as the JSON run holds it. */
  text(k: number): string;
}

/** What a value's tag says: a whole number (odd tags). */
export const isWhole = (tag: number): boolean => tag % 2 === 1;
/** The whole number an odd tag holds. */
export function wholeOf(tag: number): number {
  const z = (tag - 1) / 2;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
/** A text's byte length, from its tag. */
export const textLength = (tag: number): number => Math.floor(tag / 4);
/** Whether a text's bytes are the inside of a JSON string literal (it has a lone surrogate). */
export const isEscapedText = (tag: number): boolean => tag % 4 === 2;

/** A value a record holds as text alone (no bytes): a tag that says "escaped, empty". */
export const TEXT_ONLY = 2;

/** What a call's line shows: the error it threw, its return value, no time (unfinished). */
export const SHOWS_THROW = 1, SHOWS_RETURN = 2, SHOWS_UNFINISHED = 4;

/**
 * What a call's line shows. A record from tph's format shows what its state says; a JSON call
 * says it by its fields, which need not agree with each other in a file another tool wrote.
 */
export function shownOf(r: CallRecord): number {
  if (r.shows >= 0) return r.shows;
  const state = r.flags & STATE_MASK;
  return state === THREW ? SHOWS_THROW : state === UNFINISHED ? SHOWS_UNFINISHED : SHOWS_RETURN;
}

/** Visit the calls in pre-order with their depth (0: roots); false skips the call's subtree. */
export type ScanCalls = (visit: (r: CallRecord, depth: number) => boolean) => void;

/** The calls of a run, to scan. */
export interface CallSource {
  /** The functions records name by index. */
  readonly functions: readonly FunctionEntry[];
  /** How many calls a scan visits in all. */
  readonly records: number;
  readonly scan: ScanCalls;
  /**
   * The call at `position` (a record's) as the JSON holds it; `start` is the record's. A copy:
   * the caller may change it.
   */
  nodeAt(position: number, start: number): CallNodeJSON;
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

/** What is below a call whose children a tree does not hold (a run read down to a depth). */
export type CutBelow = { calls: number; dropped: number };

/**
 * The shared reused record of a tree's scan. Its fields are decode.ts's RawCall's (both are a
 * CallRecord), kept apart: that one reads its values from a run file's bytes, this one holds a
 * tree's texts; one class would ask which on every value read.
 */
class NodeCall implements CallRecord {
  position = 0;
  fn = 0;
  flags = 0;
  descendants = 0;
  start = 0;
  elapsed = 0;
  elapsedMs = 0;
  args = 0;
  values = 0;
  argNames: readonly string[] = [];
  dropped = 0;
  droppedBelow = 0;
  awaited = 0;
  shows = 0;
  readonly tags: number[] = [];
  readonly buf: Uint8Array = new Uint8Array(0);
  readonly texts: string[] = [];
  bufOf(): Uint8Array {
    return this.buf;
  }
  offset(): number {
    return 0;
  }
  text(k: number): string {
    return this.texts[k];
  }
}

/**
 * The calls of a tree in memory (a JSON run's, a trace's) as records. Functions are numbered in
 * the order they first appear, one per name, module, file, line, kind and flags as the JSON has
 * them; times keep their precision in `elapsedMs` and are rounded to whole µs in `start` and
 * `elapsed`. Iterative: a tree may nest as deep as the program recursed.
 *
 * @param roots The top calls.
 * @param cut Calls at the depth `cutDepth` (roots: 1) whose children the tree does not hold: their
 *   records count what is below them (then the scan's ordinals count those calls too).
 */
export function nodeCalls(
  roots: readonly CallNodeJSON[],
  cut?: ReadonlyMap<CallNodeJSON, CutBelow>,
  cutDepth = Infinity,
): CallSource {
  // Pre-order, without recursion: a stack of nodes with their parents' places and depths.
  const order: CallNodeJSON[] = [];
  const parents: number[] = [];
  const depths: number[] = [];
  const todo: CallNodeJSON[] = [], todoParent: number[] = [], todoDepth: number[] = [];
  for (let k = roots.length - 1; k >= 0; k--) {
    todo.push(roots[k]);
    todoParent.push(-1);
    todoDepth.push(0);
  }
  while (todo.length > 0) {
    const n = todo.pop()!, depth = todoDepth.pop()!;
    parents.push(todoParent.pop()!);
    depths.push(depth);
    const at = order.push(n) - 1;
    for (let k = n.children.length - 1; k >= 0; k--) {
      todo.push(n.children[k]);
      todoParent.push(at);
      todoDepth.push(depth + 1);
    }
  }
  const count = order.length;
  const descendants = new Float64Array(count), droppedBelow = new Float64Array(count);
  // The tree's own calls under each (a cut call's are not in it).
  const size = new Float64Array(count);
  let records = count;
  for (let k = count - 1; k >= 0; k--) {
    const n = order[k];
    const below = cut !== undefined && depths[k] + 1 >= cutDepth ? cut.get(n) : undefined;
    if (below !== undefined) {
      descendants[k] = below.calls;
      droppedBelow[k] = below.dropped;
      records += below.calls;
    }
    const p = parents[k];
    if (p >= 0) {
      descendants[p] += descendants[k] + 1;
      size[p] += size[k] + 1;
      droppedBelow[p] += droppedBelow[k] + (n.dropped ?? 0);
    }
  }
  const { functions, fnOf } = functionsOf(order);
  const r = new NodeCall();
  const fill = (k: number) => {
    const n = order[k];
    const fn = fnOf[k];
    const params = functions[fn][5];
    const names = Object.keys(n.args);
    // The function's own list when they agree: readers keep what they made for it.
    r.argNames = sameNames(names, params) ? params : names;
    const texts = r.texts, tags = r.tags;
    texts.length = tags.length = 0;
    for (const name of names) texts.push(n.args[name]);
    const state = stateOfNode(n);
    texts.push(n.exception ?? n.return_value ?? "");
    for (let v = 0; v < texts.length; v++) tags.push(TEXT_ONLY);
    r.position = k;
    r.fn = fn;
    r.flags = state;
    r.descendants = descendants[k];
    r.start = Math.round(n.start_ms * 1000);
    r.elapsed = n.elapsed_ms === null ? -1 : Math.round(n.elapsed_ms * 1000);
    r.elapsedMs = n.elapsed_ms ?? 0;
    r.args = names.length;
    r.values = texts.length;
    r.dropped = n.dropped ?? 0;
    r.droppedBelow = droppedBelow[k];
    r.awaited = typeof n.awaited_ms === "number" ? Math.round(n.awaited_ms * 1000) : 0;
    r.shows =
      (n.exception !== undefined
        ? SHOWS_THROW
        : n.return_value !== null && !n.unfinished
        ? SHOWS_RETURN
        : 0) | (n.unfinished || n.elapsed_ms === null ? SHOWS_UNFINISHED : 0);
  };
  return {
    functions,
    records,
    scan(visit) {
      for (let k = 0; k < count;) {
        fill(k);
        const below = descendants[k];
        if (visit(r, depths[k])) k++;
        // Past the subtree: the tree's own calls under it (a cut call's are not in the tree).
        else k += 1 + (depths[k] + 1 >= cutDepth && cut?.has(order[k]) ? 0 : below);
      }
    },
    nodeAt: (position) => ({ ...order[position] }),
  };
}

/**
 * The functions a tree's calls name, numbered in the order they first appear: one per name,
 * module, file, line, kind and flags as the JSON has them (an absent field is not a false one).
 */
function functionsOf(order: readonly CallNodeJSON[]): {
  functions: FunctionEntry[];
  fnOf: Int32Array;
} {
  const functions: FunctionEntry[] = [];
  const fnOf = new Int32Array(order.length);
  // By name, the functions of that name and the node that made each (its fields to compare).
  const byName = new Map<string, number[]>();
  const first: CallNodeJSON[] = [];
  for (let k = 0; k < order.length; k++) {
    const n = order[k];
    let list = byName.get(n.name);
    if (list === undefined) byName.set(n.name, list = []);
    let fn = -1;
    for (const f of list) {
      const m = first[f];
      if (
        m.module === n.module && m.file === n.file && m.line === n.line && m.kind === n.kind &&
        m.async === n.async && m.external === n.external
      ) {
        fn = f;
        break;
      }
    }
    if (fn < 0) {
      fn = functions.length;
      list.push(fn);
      first.push(n);
      const flags = (n.async ? FN_ASYNC : 0) | (n.external ? FN_EXTERNAL : 0);
      const params = n.external ? [] : Object.keys(n.args);
      functions.push([n.name, n.module, n.file, n.line, n.kind ?? "function", params, flags]);
    }
    fnOf[k] = fn;
  }
  return { functions, fnOf };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** The filter's rule: a call is kept when its name contains the text asked for. */
export function nameMatches(name: string, text: string): boolean {
  return name.includes(text);
}

/** Marks of {@linkcode markFilter}, one byte a call. */
export const ON_PATH = 1, MATCHED = 2, LAST_KEPT = 4;

/** What a name filter keeps of a run. */
export interface FilterMarks {
  /**
   * Per call (by ordinal): MATCHED for a call whose name matches (its subtree is kept whole and
   * not marked), ON_PATH for a call leading to one, LAST_KEPT for the last call kept in its list;
   * 0 for a call not kept.
   */
  of: Uint8Array;
  /** Whether any call matched. */
  any: boolean;
  /** For each call on a path at `maxDepth`: the calls kept below it, and what limits left out under those. */
  cut: Map<number, CutBelow>;
}

/**
 * The name filter, in one scan: the calls whose name contains `text`, each with its whole
 * subtree, and the calls that lead to them (tree, export, the page). A call kept only as the way
 * to a match does not count the calls limits left out under it.
 *
 * @param source The calls.
 * @param text What names must contain.
 * @param maxDepth The deepest level shown (roots: 1): what is kept below a path call there is summed.
 * @param each Called for every call (matched subtrees included, which are then read through).
 */
export function markFilter(
  source: CallSource,
  text: string,
  maxDepth = Infinity,
  each?: (r: CallRecord, depth: number) => void,
): FilterMarks {
  const matches = source.functions.map((f) => nameMatches(f[0], text));
  const of = new Uint8Array(source.records);
  const cut = new Map<number, CutBelow>();
  // Per open call (by depth): its ordinal, whether it is kept, what is kept below it.
  const ord: number[] = [], kept: boolean[] = [], calls: number[] = [], dropped: number[] = [];
  // Per list (by the depth of its calls): its last call kept so far (-1: none).
  const lastKept: number[] = [-1];
  const keep = (depth: number, at: number) => {
    const before = lastKept[depth];
    if (before >= 0) of[before] &= ~LAST_KEPT;
    of[at] |= LAST_KEPT;
    lastKept[depth] = at;
  };
  let open = 0, ordinal = 0, any = false;
  // Inside a matched subtree read through for `each` (its depth; -1: not inside one).
  let inside = -1;
  // Close the open calls from `depth` on: what is kept below each goes to its caller's sums.
  const closeTo = (depth: number) => {
    for (; open > depth; open--) {
      const d = open - 1;
      if (!kept[d]) continue;
      if (d + 1 === maxDepth) cut.set(ord[d], { calls: calls[d], dropped: dropped[d] });
      if (d > 0) {
        calls[d - 1] += 1 + calls[d];
        dropped[d - 1] += dropped[d];
      }
    }
  };
  source.scan((r, depth) => {
    each?.(r, depth);
    if (inside >= 0) {
      if (depth > inside) {
        ordinal++;
        return true;
      }
      inside = -1;
    }
    const here = ordinal++;
    closeTo(depth);
    if (matches[r.fn]) {
      any = true;
      of[here] = MATCHED;
      // Its callers are kept, down from the first not kept yet.
      let d = depth - 1;
      while (d >= 0 && !kept[d]) d--;
      for (d++; d < depth; d++) {
        kept[d] = true;
        of[ord[d]] |= ON_PATH;
        keep(d, ord[d]);
      }
      keep(depth, here);
      if (depth > 0) {
        calls[depth - 1] += 1 + r.descendants;
        dropped[depth - 1] += r.dropped + r.droppedBelow;
      }
      if (each !== undefined && r.descendants > 0) {
        inside = depth;
        return true;
      }
      ordinal += r.descendants;
      return false;
    }
    if (r.descendants === 0) return true;
    ord[depth] = here;
    kept[depth] = false;
    calls[depth] = 0;
    dropped[depth] = 0;
    lastKept[depth + 1] = -1;
    open = depth + 1;
    return true;
  });
  closeTo(0);
  return { of, any, cut };
}
