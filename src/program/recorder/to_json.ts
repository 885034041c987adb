import { FileWriter } from "../../platform/files.ts";
import { bytesOf, Sink } from "../../run_file/json_sink.ts";
import { FLAG_ASYNC } from "../../abi.ts";
import { SCHEMA_VERSION } from "../../types.ts";
import type { CallNodeJSON, FindJSON, FindMatchJSON, RunJSON } from "../../types.ts";
import { VERSION } from "../../version.ts";
import type { FunctionRecord } from "./functions.ts";
import { runtime, type Snapshot } from "./recorder.ts";
import { keptCut, repr, reprKept } from "./repr.ts";
import {
  argAt,
  argList,
  AWAITS,
  HIDDEN,
  MARKED_ARGS,
  PENDING,
  RET_TEXT,
  type Tape,
  valueAt,
} from "./tape.ts";
import { type FunctionEntry } from "../../run_file/format.ts";
import { functionFlags, RETURNED, THREW } from "../../run_file/call_state.ts";
import {
  type FunctionBytes,
  functionParts,
  JSON_PARTS,
  positionKey,
  qualifiedName,
} from "../../run_file/json_form.ts";
import type { TraceState } from "./trace_state.ts";
import { settleArgs, settleOpen } from "./details.ts";
import {
  arrayJoin,
  dateToISO,
  floor,
  int32Sub,
  max as maxOf,
  min as minOf,
  ownArray,
  plainJSON,
  put,
  round,
  SafeMap,
  SafeSet,
  strSlice,
  typedBuffer,
  typedByteOffset,
  typedFill,
} from "../../platform/intrinsics.ts";
import { Date, Int32Array, String, Uint8Array } from "../../platform/globals.ts";

const round3 = (ms: number) => round(ms * 1000) / 1000;

/** Whether argument `i` of a row is stored as an index into the tape's texts. */
function argIsText(marks: number, i: number): boolean {
  return i < MARKED_ARGS && ((marks >>> i) & 1) === 1;
}

/** A stored value as text (see `Tape.marks`). */
function show(t: TraceState, v: unknown, isText: boolean): string {
  if (isText) {
    if ((v as number) >= 0) return t.tape.texts.get(v as number);
    // A kept string (recorder.ts, keepString).
    v = t.tape.strings[-1 - (v as number)];
  }
  if (typeof v === "string") return scrubbedString(t, v) ?? repr(v, t.maxRepr);
  // Objects past MARKED_ARGS are snapshots (possibly made by another copy of this module);
  // anything else is a primitive or a function, shown now.
  return typeof v === "object" && v !== null ? (v as Snapshot).text : repr(v, t.maxRepr);
}

/**
 * The text a stored string is written as when it holds a secret (a known one or a match of a
 * `redact_values` regex), or null. A string kept whole is scanned once per distinct string, when
 * the recorder makes its text (recorder.ts, keepString), or when it is written for one stored as
 * it is: what it is written as is what the recorder stores for a string it found one in, its
 * repr, redacted.
 */
export function scrubbedString(t: TraceState, s: string): string | null {
  const scrubs = t.scrubs;
  if (scrubs === null || s.length >= t.keepChars || !scrubs.hits(s)) return null;
  const text = reprKept(s, t.maxRepr, t.redaction);
  return keptCut ? text + "…" : text;
}

function argsOf(f: FunctionRecord, t: TraceState, row: number): Record<string, string> {
  const tp = t.tape;
  const out: Record<string, string> = {};
  const marks = tp.marks[row];
  if (f.kind === "external") {
    // Untraced callees have no parameter names here: arguments go by position.
    const values = argList(tp, row);
    for (let i = 0; i < values.length; i++) {
      out[String(i)] = show(t, values[i], argIsText(marks, i));
    }
    return out;
  }
  const names = f.params;
  for (let i = 0; i < names.length; i++) {
    out[names[i]] = show(t, argAt(tp, row, i, names.length, false), argIsText(marks, i));
  }
  return out;
}

/**
 * Walk the calls of a trace in call order, with each call's parent as an index into the calls
 * visited (or -1 for a root). Calls still open when the trace stopped stay unfinished, even if
 * they end later; the hidden callback of trace.run() is left out and its calls become roots.
 */
function visit(
  t: TraceState,
  each: (row: number, parent: number, finished: boolean) => void,
): void {
  const tp: Tape = t.tape;
  // Each visited row's index plus one: 0 (as allocated) for rows left out.
  const index = new Int32Array(maxOf(0, lastRow(t) - t.firstRow));
  let n = 0;
  eachRecordedRow(t, (row, finished) => {
    index[row - t.firstRow] = ++n;
    const prow = tp.parent[row];
    const parent = prow < 0 || prow === t.wrapper ? -1 : index[prow - t.firstRow] - 1;
    each(row, parent, finished);
  });
}

/**
 * The rows of a trace's recorded calls, in call order (those a run holds: of this trace, not the
 * hidden callback of trace.run(), not rows hidden as left out), each with whether it ended while
 * the trace recorded (endedInTrace). `tph lsp` counts a raw run's calls by it (read_runs.ts).
 */
export function eachRecordedRow(t: TraceState, each: (row: number, finished: boolean) => void) {
  const tp: Tape = t.tape;
  const stopped = t.endTime >= 0 ? t.endTime : Infinity;
  const last = lastRow(t);
  for (let row = t.firstRow; row < last; row++) {
    if (tp.slot[row] !== t.slot || row === t.wrapper || tp.state[row] === HIDDEN) continue;
    const end = tp.end[row];
    each(row, end >= 0 && end <= stopped);
  }
}

/** Whether a call ended while its trace recorded (one still open then stays unfinished). */
export function endedInTrace(t: TraceState, row: number): boolean {
  const end = t.tape.end[row];
  return end >= 0 && end <= (t.endTime >= 0 ? t.endTime : Infinity);
}

/** The name of a trace's first recorded call (its first root), or null when it has none. */
export function firstCallName(t: TraceState): string | null {
  const tp: Tape = t.tape;
  const last = lastRow(t);
  for (let row = t.firstRow; row < last; row++) {
    if (tp.slot[row] !== t.slot || row === t.wrapper || tp.state[row] === HIDDEN) continue;
    return runtime().fn(tp.fn[row]).qualname;
  }
  return null;
}

/**
 * A finished call's length in whole µs, as the run keeps it: its end and its start each rounded
 * from the trace's start, then subtracted (never below 0 when given to the writers).
 */
export function elapsedUs(t: TraceState, row: number): number {
  const tp = t.tape;
  return round((tp.end[row] - t.startTime) * 1000) - round((tp.start[row] - t.startTime) * 1000);
}

/**
 * The µs a call spent suspended (awaiting, or a generator between its yields), at most its length;
 * 0 for a call that never was.
 */
export function awaitedUs(t: TraceState, row: number, elapsed: number): number {
  // Negative: still suspended when the run was written (an unfinished call): none counted.
  if ((t.tape.marks[row] & AWAITS) === 0) return 0;
  const ms = t.tape.awaited[row];
  return ms > 0 ? minOf(elapsed, round(ms * 1000)) : 0;
}

/** Where a trace's rows end: where it stopped, or the tape's end while it records. */
function lastRow(t: TraceState): number {
  return t.endRow >= 0 ? t.endRow : t.tape.rows;
}

/** The objects kept by calls past the detail budget that have not ended, summarised now. */
function settle(t: TraceState): void {
  settleOpen(t, lastRow(t));
}

/**
 * The JSON node of one call (its children not filled in).
 *
 * @param t Its trace.
 * @param f Its function.
 * @param row Its row.
 * @param finished Whether it ended while the trace recorded.
 */
export function callNode(
  t: TraceState,
  f: FunctionRecord,
  row: number,
  finished: boolean,
): CallNodeJSON {
  const tp = t.tape;
  const state = tp.state[row];
  const node = {
    name: f.qualname,
    module: f.module,
    file: f.file,
    line: f.line,
    kind: f.kind,
    args: argsOf(f, t, row),
    return_value: finished && state === RETURNED
      ? show(t, valueAt(tp, tp.result, row), (tp.marks[row] & RET_TEXT) !== 0)
      : null,
  } as CallNodeJSON;
  if (finished && state === THREW) node.exception = String(valueAt(tp, tp.result, row));
  node.start_ms = round3(tp.start[row] - t.startTime);
  // The end rounded as the start is (both from the trace's start), not the length: a call then
  // never seems to end after its caller, or after its next sibling starts.
  node.elapsed_ms = finished ? maxOf(0, elapsedUs(t, row) / 1000) : null;
  const awaited = finished ? awaitedUs(t, row, elapsedUs(t, row)) : 0;
  if (awaited > 0) node.awaited_ms = awaited / 1000;
  if (!finished) node.unfinished = true;
  if (f.flags & FLAG_ASYNC) node.async = true;
  if (f.kind === "external") node.external = true;
  const dropped = t.dropped.get(row);
  if (dropped !== undefined) node.dropped = dropped;
  node.children = [];
  return node;
}

/**
 * The call tree of a trace as JSON nodes, in call order.
 *
 * @param t The trace.
 * @returns Its root nodes.
 */
export function callTree(t: TraceState): CallNodeJSON[] {
  settle(t);
  const tp = t.tape;
  const rt = runtime();
  const nodes: CallNodeJSON[] = [];
  const roots: CallNodeJSON[] = [];
  visit(t, (row, parent, finished) => {
    const node = callNode(t, rt.fn(tp.fn[row]), row, finished);
    // Index writes: the program may have replaced Array.prototype.push.
    put(nodes, nodes.length, node);
    const siblings = parent < 0 ? roots : nodes[parent].children;
    put(siblings, siblings.length, node);
  });
  return roots;
}

/**
 * The top-level fields of a trace's JSON document (all but `trace`).
 *
 * @param t The trace.
 * @param label Its label.
 * @param settled Whether every row of the trace was settled already (callLinks settles them):
 *   then they are not looked over again.
 * @returns The fields, in document order.
 */
export function traceHeader(
  t: TraceState,
  label: string | null,
  settled = false,
): Omit<RunJSON, "trace"> {
  if (!settled) settle(t);
  const reasons: string[] = [];
  t.limitReasons.forEach((r) => put(reasons, reasons.length, r));
  return {
    schema: SCHEMA_VERSION,
    tracepatch_version: VERSION,
    timestamp: dateToISO(t.startedAt),
    label,
    call_count: t.callCount,
    was_limited: reasons.length > 0,
    limit_reason: reasons.length > 0 ? arrayJoin(reasons, ", ") : null,
    dropped_calls: t.droppedTotal,
    dropped_at_root: t.droppedAtRoot,
    summarised: t.summarised,
    config: traceConfig(t),
    ...(t.finder === null ? {} : { find: findSection(t) }),
  };
}

/** A trace's limits and filters, as the document's `config` holds them. */
export function traceConfig(t: TraceState): RunJSON["config"] {
  return {
    ...t.limits,
    ignore_modules: t.ignoreModules,
    include: t.include,
    exclude: t.exclude,
  };
}

/** ISO 8601 to the µs, from ms since the epoch. */
function isoMicros(ms: number): string {
  const whole = floor(ms);
  const iso = dateToISO(new Date(whole));
  const micros = floor((ms - whole) * 1000);
  return strSlice(iso, 0, -1) + (micros < 10 ? "00" : micros < 100 ? "0" : "") + micros + "Z";
}

/**
 * The matches of `tph run --find` (or `trace({ find })`), with their calls' places in the tree.
 *
 * @param t A trace that looked for values.
 */
export function findSection(t: TraceState): FindJSON {
  const f = t.finder!;
  const rt = runtime();
  // Pre-order places of the recorded calls that matched (one pass over the tree, if any did).
  const place = new SafeMap<number, number>();
  let any = false;
  for (let i = 0; i < f.hits.length; i++) if (f.hits[i].row >= 0) any = true;
  if (any) {
    const { rowOf: rows, firstChild, next, firstRoot } = callLinks(t);
    const rowOf = rows!; // asked with lists: made
    const wanted = new SafeSet<number>();
    for (let i = 0; i < f.hits.length; i++) wanted.add(f.hits[i].row);
    // Depth first, iteratively: the order the JSON's `trace` lists calls in.
    const stack: number[] = ownArray([]);
    let ordinal = 0;
    for (let r = firstRoot; r !== 0; r = next[r - 1]) {
      stack[stack.length] = r;
      while (stack.length > 0) {
        const i = stack[stack.length - 1] - 1;
        stack.length--;
        if (wanted.has(rowOf[i])) place.set(rowOf[i], ordinal);
        ordinal++;
        // Children pushed last first.
        const kids: number[] = ownArray([]);
        for (let c = firstChild[i]; c !== 0; c = next[c - 1]) kids[kids.length] = c;
        for (let c = kids.length - 1; c >= 0; c--) stack[stack.length] = kids[c];
      }
    }
  }
  const name = (id: number) => {
    const f = rt.fn(id);
    return qualifiedName(f.qualname, f.module);
  };
  const matches: FindMatchJSON[] = [];
  for (let i = 0; i < f.hits.length; i++) {
    const h = f.hits[i];
    const fn = rt.fn(h.fn);
    const external = fn.kind === "external";
    const stack: string[] = [];
    for (let k = 0; k < h.stack.length; k++) put(stack, stack.length, name(h.stack[k]));
    put(matches, matches.length, {
      target: h.target,
      func: qualifiedName(fn.qualname, fn.module),
      module: fn.module,
      where: h.where,
      arg_name: h.arg < 0
        ? null
        : external || h.arg >= fn.params.length
        ? String(h.arg)
        : fn.params[h.arg],
      path: h.path,
      value: h.repr,
      type: h.type,
      timestamp: isoMicros(h.time),
      stack,
      call: h.row >= 0 ? place.get(h.row) ?? null : null,
    });
  }
  const targets = f.targets.map((x) => ({
    text: shownTarget(t, x.spec.text),
    type: x.spec.type,
    match: x.spec.match,
  }));
  return { targets, count: f.count, matches };
}

/**
 * A --find target as a run keeps it: one that is itself a secret (a known form, a `redact_values`
 * match) as "[redacted]", as the values it finds are: nothing unredacted reaches the disk.
 */
function shownTarget(t: TraceState, text: string): string {
  const scrubs = t.scrubs;
  return scrubs === null || !scrubs.hits(text) ? text : scrubs.scrubWhole(text);
}

/**
 * The versioned JSON document of a trace (see docs/json_format.md).
 *
 * @param t The trace.
 * @param label Its label, or null.
 * @returns The document; `run` is added by `tph run`.
 */
export function traceToJSON(t: TraceState, label: string | null): RunJSON {
  return { ...traceHeader(t, label), trace: callTree(t) };
}

// The writer below puts UTF-8 straight into one reused buffer (run_file/json_sink.ts). Each
// call's text built as a string, then flattened and encoded, cost more than the writing itself: a
// million calls (277 MB) took 0.6–0.9 s to save that way, ~0.33 s now, of which ~0.2 s is the
// writes.

const {
  RETURN_VALUE,
  NULL,
  EXCEPTION,
  START,
  ELAPSED,
  AWAITED,
  UNFINISHED,
  CHILDREN,
  DROPPED,
  CLOSE,
  COMMA,
} = JSON_PARTS;

/** A function's entry in a run file's table (src/run_file/format.ts) from its record. */
export function functionEntry(f: FunctionRecord): FunctionEntry {
  const flags = functionFlags((f.flags & FLAG_ASYNC) !== 0, f.kind === "external");
  return f.textHash === 0
    ? [f.qualname, f.module, f.file, f.line, f.kind, f.params, flags]
    : [f.qualname, f.module, f.file, f.line, f.kind, f.params, flags, f.span, f.textHash];
}

/**
 * Write a stored value (an argument or return value on the tape) as a text or, for an int32
 * other than -0 (which repr() writes whole when max_repr is not below 12), as a number, with no
 * string made. A string is scanned for secrets with the redaction of `scanFor` (scrubbedString)
 * unless it is null (the caller scanned it).
 */
export function storedValue(
  tp: Tape,
  v: unknown,
  isText: boolean,
  maxRepr: number,
  text: (s: string, from: number, to: number) => void,
  whole: (n: number) => void,
  scanFor: TraceState | null = null,
): void {
  if (isText && (v as number) < 0) {
    // A kept string (recorder.ts, keepString), written as one stored as it is.
    v = tp.strings[-1 - (v as number)];
    isText = false;
  }
  const scrubbed = scanFor !== null && typeof v === "string" ? scrubbedString(scanFor, v) : null;
  if (scrubbed !== null) text(scrubbed, 0, scrubbed.length);
  else if (isText) {
    const texts = tp.texts;
    texts.locate(v as number);
    if (!texts.cut) text(texts.text, texts.from, texts.to);
    else {
      const s = strSlice(texts.text, texts.from, texts.to) + "…";
      text(s, 0, s.length);
    }
  } else if (typeof v === "number" && (v | 0) === v && (v !== 0 || 1 / v > 0) && maxRepr >= 12) {
    whole(v);
  } else {
    const s = typeof v === "object" && v !== null ? (v as Snapshot).text : repr(v, maxRepr);
    text(s, 0, s.length);
  }
}

/**
 * The calls of a trace in call order, linked into a tree to be written depth first (async work
 * interleaves, so children are linked into lists first). Links hold a call's index plus one, 0
 * for none: the arrays need no filling.
 */
export interface CallLinks {
  /** Calls. */
  n: number;
  /**
   * Each call's row on the tape (null: its index, when the trace holds every row from the tape's
   * first and no lists were asked for), and whether it had finished when the trace stopped (1).
   */
  rowOf: Int32Array | null;
  done: Uint8Array;
  /** Each call's parent index, or -1 for a root (a parent comes before its children). */
  parent: Int32Array;
  firstChild: Int32Array;
  next: Int32Array;
  /** The first root, plus one (0: no calls). */
  firstRoot: number;
  /**
   * Each call's descendants; where `belowBig` is not null (the run writer's walk in pre-order),
   * one byte a call, BELOW_BIG for a call whose count is in `belowBig` by its index.
   */
  below: Int32Array | Uint8Array;
  belowBig: Map<number, number> | null;
  /**
   * Whether the calls are in pre-order (each one's parent is open when it starts): walked in call
   * order, they are walked depth first. `firstChild` and `next` may then be empty (see callLinks).
   */
  preorder: boolean;
  /**
   * The tape's memory `below` and `done` are in when callLinks was let borrow it (its `prev`
   * column, all 0): the caller gives it back as zeros (typedFill) once done with them; else null.
   */
  borrowed: Uint8Array | null;
}

/** CallLinks.below of a call whose descendants are in CallLinks.belowBig. */
export const BELOW_BIG = 255;

/**
 * Each call's descendants as callLinks counts them. Without lists (the run writer's walk in
 * pre-order), one byte a call and the few of BELOW_BIG or more in a Map by index (marked every
 * call: 21 of 767k calls): four bytes a call, made at the write's start, were 3 MB of its growth
 * (on Bun they started a full collection there). With lists, or once the calls are found out of
 * pre-order, four bytes a call (`wide`).
 */
class Descendants {
  wide: Int32Array | null;
  readonly small: Uint8Array | null;
  readonly big: Map<number, number> | null;
  /** `wide`: four bytes a call made already (callLinks' borrowed memory), else null. */
  constructor(total: number, lists: boolean, wide: Int32Array | null) {
    this.wide = wide ?? (lists ? new Int32Array(total) : null);
    const small = this.wide === null;
    this.small = small ? new Uint8Array(total) : null;
    this.big = small ? new SafeMap<number, number>() : null;
  }

  put(c: number, d: number): void {
    if (this.wide !== null) this.wide[c] = d;
    else if (d < BELOW_BIG) this.small![c] = d;
    else {
      this.small![c] = BELOW_BIG;
      this.big!.set(c, d);
    }
  }

  /** Four bytes a call, each 0 (for linkLists to add up). */
  widen(total: number): Int32Array {
    if (this.wide === null) this.wide = new Int32Array(total);
    else typedFill(this.wide, 0);
    return this.wide;
  }

  /** The links `rest` with `below` and `belowBig`. */
  links(rest: Omit<CallLinks, "below" | "belowBig">): CallLinks {
    const wide = this.wide;
    return { ...rest, below: wide ?? this.small!, belowBig: wide === null ? this.big : null };
  }
}

/**
 * The calls of a trace, linked (see CallLinks).
 *
 * @param lists Whether the children's lists are wanted even when the calls are in pre-order
 *   already (`preorder`: then walking them in call order is walking the tree).
 * @param borrow Whether `below` and `done` may be made in the tape's memory (CallLinks.borrowed),
 *   which the caller then gives back before anything records again.
 */
export function callLinks(t: TraceState, lists = true, borrow = false): CallLinks {
  const tp = t.tape as Tape<TraceState>;
  const first = t.firstRow, last = lastRow(t);
  const total = maxOf(0, last - first);
  // Memory first written costs a page fault (1–4 µs a page here): as few columns as the walk needs.
  const { done, wide, borrowed } = linkColumns(tp, total, borrow && !lists && first === 0);
  const below = new Descendants(total, lists, wide);
  const stopped = t.endTime >= 0 ? t.endTime : Infinity;
  const slot = t.slot, wrapper = t.wrapper;
  const slots = tp.slot, states = tp.state, parents = tp.parent, ends = tp.end, marks = tp.marks;
  // The calls open at each one, while they are in pre-order (each one's parent is open when it
  // starts, as in a program that never awaits).
  const open: number[] = ownArray([]);
  let top = 0, preorder = true;
  let n = 0, firstRoot = 0, row = first;
  // The common case, `tph run`'s trace: from the tape's first row, every row its own. Each call's
  // index is its row and its parent's the tape's (its column, not a copy); no index by row nor
  // (no lists: the run writer) row by index is made — 12 bytes a call less of the writer's peak.
  if (first === 0) {
    // Slots never written are 0 in every row (Tape.slotted): not read (a page read faults).
    const bySlot = tp.slotted || slot !== 0;
    for (; row < last; row++) {
      if ((bySlot && slots[row] !== slot) || row === wrapper || states[row] === HIDDEN) break;
      // The objects kept by calls that have not ended summarised now, as settle() does.
      if ((marks[row] & PENDING) !== 0) settleArgs(tp, row, false);
      const p = parents[row];
      const end = ends[row];
      done[row] = end >= 0 && end <= stopped ? 1 : 0;
      if (preorder) {
        // A call closed here: its descendants are the calls since it (no pass backward).
        while (top > 0 && open[top - 1] !== p) {
          const c = open[--top];
          below.put(c, row - c - 1);
        }
        if (p >= 0 && top === 0) preorder = false;
        else open[top++] = row;
      }
    }
    n = row;
  }
  let parentOf: Int32Array, rowOf: Int32Array | null = null;
  if (first === 0 && row === last) {
    parentOf = int32Sub(parents, 0, total);
    if (lists) {
      rowOf = new Int32Array(total);
      for (let i = 0; i < n; i++) rowOf[i] = i;
    }
  } else {
    rowOf = new Int32Array(total);
    parentOf = new Int32Array(total);
    // As visit() walks them (one loop, no call per row): each visited row's index plus one (0 as
    // allocated for rows left out); the hidden callback of trace.run() is left out.
    const index = new Int32Array(total);
    // The rows the loop above took: their own index and parent.
    for (let i = 0; i < n; i++) {
      rowOf[i] = i;
      index[i] = i + 1;
      parentOf[i] = parents[i];
    }
    for (; row < last; row++) {
      if ((marks[row] & PENDING) !== 0 && slots[row] === slot) settleArgs(tp, row, false);
      if (slots[row] !== slot || row === wrapper || states[row] === HIDDEN) continue;
      const i = n++;
      index[row - first] = n;
      const prow = parents[row];
      rowOf[i] = row;
      const p = parentOf[i] = prow < 0 || prow === wrapper ? -1 : index[prow - first] - 1;
      const end = ends[row];
      done[i] = end >= 0 && end <= stopped ? 1 : 0;
      if (preorder) {
        while (top > 0 && open[top - 1] !== p) {
          const c = open[--top];
          below.put(c, i - c - 1);
        }
        if (p >= 0 && top === 0) preorder = false;
        else open[top++] = i;
      }
    }
  }
  // The lists' pass is a function of its own: code after a loop optimized while it runs
  // (on-stack replacement) has no type feedback yet, and V8 would throw that code away when
  // reaching it, running the next loop slowly until it is optimized again.
  let firstChild = new Int32Array(0), next = firstChild;
  if (preorder && !lists) {
    // The calls still open at the last one end with the trace's calls.
    while (top > 0) {
      const c = open[--top];
      below.put(c, n - c - 1);
    }
    firstRoot = n > 0 ? 1 : 0;
  } else {
    // Added up by linkLists (the loops above may have counted some while in pre-order).
    const wide = below.widen(total);
    firstChild = new Int32Array(total);
    next = new Int32Array(total);
    firstRoot = linkLists(n, parentOf, wide, firstChild, next);
  }
  const parent = parentOf;
  return below.links({ n, rowOf, done, parent, firstChild, next, firstRoot, preorder, borrowed });
}

/**
 * callLinks' `done` and its descendants' four bytes a call (`wide`) for `total` calls: in the
 * tape's `prev` column when `lend` and no row wrote it (8 bytes a row, all 0; see
 * CallLinks.borrowed) and it has the room; else `done` new and `wide` null (Descendants then keeps
 * one byte a call). No memory is made when borrowed: the write at the program's end made 5 bytes a
 * call (3.8 MB on marked every call) with the heap at its limit, which started a full collection
 * there (Deno: 40 ms; Bun: BUN_JSC_logGC).
 */
function linkColumns(
  tp: Tape<TraceState>,
  total: number,
  lend: boolean,
): { done: Uint8Array; wide: Int32Array | null; borrowed: Uint8Array | null } {
  const prev = tp.prev;
  if (!lend || total === 0 || tp.prevWritten || prev.length < total) {
    return { done: new Uint8Array(total), wide: null, borrowed: null };
  }
  const room = typedBuffer(prev), at = typedByteOffset(prev);
  return {
    done: new Uint8Array(room, at + total * 4, total),
    wide: new Int32Array(room, at, total),
    borrowed: new Uint8Array(room, at, total * 5),
  };
}

/**
 * The children's lists (CallLinks' `firstChild`, `next`) and each call's descendants; returns the
 * first root, plus one (0: none).
 */
function linkLists(
  n: number,
  parentOf: Int32Array,
  below: Int32Array,
  firstChild: Int32Array,
  next: Int32Array,
): number {
  let firstRoot = 0;
  // Lists made backward, each call put in front of its siblings: they end in call order. A
  // parent comes before its children: its descendants are added up on the way.
  for (let i = n - 1; i >= 0; i--) {
    const p = parentOf[i];
    if (p < 0) {
      next[i] = firstRoot;
      firstRoot = i + 1;
    } else {
      next[i] = firstChild[p];
      firstChild[p] = i + 1;
      below[p] += below[i] + 1;
    }
  }
  return firstRoot;
}

/** A finished call's length and, when it awaited, its time awaiting (after `"elapsed_ms":`). */
function writeTimes(out: Sink, t: TraceState, row: number): void {
  const elapsed = elapsedUs(t, row);
  out.thousandths(elapsed, true);
  const awaited = awaitedUs(t, row, elapsed);
  if (awaited > 0) {
    out.bytes(AWAITED);
    out.room();
    out.thousandths(awaited, true);
  }
}

/**
 * Write the JSON document of a trace to a file, streaming: no tree of objects is built and no
 * string holds the whole document, so a million calls take a fraction of a second and little
 * memory. The text equals `JSON.stringify(traceToJSON(t, label))` plus `extra` fields.
 *
 * @param t The trace.
 * @param label Its label.
 * @param path The file to write.
 * @param extra More top-level fields, written before `trace`.
 */
export function writeTraceJSON(
  t: TraceState,
  label: string | null,
  path: string,
  extra: Record<string, unknown> = {},
): void {
  const tp = t.tape;
  const rt = runtime();
  const max = t.maxRepr;
  const dropped = t.dropped;
  const file = new FileWriter(path);
  const out = new Sink(file);
  const text = (s: string, from: number, to: number) => out.json(s, from, to);
  const whole = (n: number) => out.quotedInt(n);
  const value = (v: unknown, isText: boolean) => storedValue(tp, v, isText, max, text, whole, t);
  const functions: FunctionBytes[] = ownArray([]);
  const functionBytes = (id: number): FunctionBytes => {
    return functions[id] = functionParts(functionEntry(rt.fn(id)));
  };
  try {
    const head = plainJSON({ ...traceHeader(t, label), ...extra });
    out.bytes(bytesOf(strSlice(head, 0, -1) + ',"trace":['));
    const { rowOf: rows, done, firstChild, next, firstRoot } = callLinks(t);
    const rowOf = rows!; // asked with lists: made
    const node = (i: number): void => {
      const row = rowOf[i];
      const finished = done[i] === 1;
      const id = tp.fn[row];
      const fb = functions[id] ?? functionBytes(id);
      const marks = tp.marks[row];
      out.bytes(fb.head);
      if (fb.external) {
        const values = argList(tp, row);
        for (let a = 0; a < values.length; a++) {
          out.bytes(positionKey(a));
          value(values[a], argIsText(marks, a));
        }
      } else {
        const keys = fb.keys;
        for (let a = 0; a < keys.length; a++) {
          out.bytes(keys[a]);
          value(argAt(tp, row, a, keys.length, false), argIsText(marks, a));
        }
      }
      out.bytes(RETURN_VALUE);
      const state = tp.state[row];
      if (finished && state === RETURNED) {
        value(valueAt(tp, tp.result, row), (marks & RET_TEXT) !== 0);
      } else out.bytes(NULL);
      if (finished && state === THREW) {
        out.bytes(EXCEPTION);
        const e = String(valueAt(tp, tp.result, row));
        out.json(e, 0, e.length);
      }
      out.bytes(START);
      out.room();
      out.ms(tp.start[row] - t.startTime, false);
      out.bytes(ELAPSED);
      out.room();
      if (finished) writeTimes(out, t, row);
      else out.bytes(NULL);
      if (!finished) out.bytes(UNFINISHED);
      out.bytes(fb.tail);
      const d = dropped.get(row);
      if (d !== undefined) {
        out.bytes(DROPPED);
        out.bytes(bytesOf(String(d)));
      }
      out.bytes(CHILDREN);
    };
    // Iterative depth-first walk: deep recursion in the program must not overflow tph.
    const stack: number[] = ownArray([]);
    let depth = 0;
    let i = firstRoot - 1;
    let first = true;
    while (i >= 0 || depth > 0) {
      if (i < 0) {
        out.bytes(CLOSE);
        i = next[stack[--depth]] - 1;
        first = false;
        continue;
      }
      if (!first) out.bytes(COMMA);
      node(i);
      stack[depth++] = i;
      i = firstChild[i] - 1;
      first = true;
    }
    out.bytes(bytesOf("]}\n"));
    out.flush();
  } finally {
    file.close();
  }
}
