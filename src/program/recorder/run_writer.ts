// The recorder's tape as a source of calls for the run file's encoder (src/run_file/encode.ts):
// a trace's calls linked into a tree (to_json.ts, callLinks) and walked depth first, each call's
// values written from the tape as the run format stores them, with no string made for most.

import { FileWriter } from "../../platform/files.ts";
import {
  charCodeAt,
  floor,
  max,
  min,
  ownArray,
  regexExec,
  round,
  SafeMap,
  typedFill,
  utf8,
} from "../../platform/intrinsics.ts";
import {
  type CallRecords,
  type CallsToEncode,
  encodeRun,
  FunctionTable,
} from "../../run_file/encode.ts";
import { type ByteSink, Sink } from "../../run_file/json_sink.ts";
import {
  putVarint,
  RunSink,
  TEXT_FALSE,
  TEXT_NULL,
  TEXT_TRUE,
  TEXT_UNDEFINED,
} from "../../run_file/encode_sink.ts";
import { runtime } from "./recorder.ts";
import { bunNoFtl } from "./ftl.ts";
import {
  type FunctionEntry,
  HAS_AWAITED,
  HAS_DROPPED,
  HAS_DROPPED_BELOW,
  SKIP_MIN,
  TABLE_BLOCK,
} from "../../run_file/format.ts";
import { RETURNED, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import {
  argList,
  AWAITS,
  MARKED_ARGS,
  RET_TEXT,
  type Tape,
  type Texts,
  VALUE_BITS,
  VALUE_MASK,
  valueAt,
  wholeOfCode,
} from "./tape.ts";
import {
  BELOW_BIG,
  type CallLinks,
  callLinks,
  functionEntry,
  scrubbedString,
  storedValue,
  traceHeader,
} from "./to_json.ts";
import { reprLimit } from "./repr.ts";
import { SHORTEST_KNOWN } from "./redact.ts";
import type { TraceState } from "./trace_state.ts";
import { Float64Array, Int32Array, Map, String, Uint8Array } from "../../platform/globals.ts";
import { sentBy } from "./sent_spans.ts";

/**
 * Write a trace as a run file (run_file/format.ts): its calls, its functions, and as the meta the
 * JSON's top-level fields but `trace`, plus `extra`.
 *
 * @param t The trace.
 * @param label Its label.
 * @param path The file.
 * @param extra More top-level fields, after the trace's own (a function: asked once the calls
 *   are written).
 * @param rows Tape rows whose calls' ordinals in the file (pre-order) are wanted: each is set to
 *   its call's, or stays -1 (not in the trace).
 */
export function writeTraceRun(
  t: TraceState,
  label: string | null,
  path: string,
  extra: Record<string, unknown> | (() => Record<string, unknown>) = {},
  rows: Map<number, number> | null = null,
): void {
  const file = new FileWriter(path);
  const calls = new TapeCalls(t, label, extra, rows);
  try {
    encodeRun(calls, file);
  } finally {
    calls.giveBack();
    file.close();
  }
}

/**
 * Write a trace as a run file's bytes into `sink` (writeTraceRun's, into memory: a server's run
 * per request, written to its file off the event loop), through the buffer `buf`; `extra` and
 * `rows` as writeTraceRun's.
 */
export function encodeTraceRun(
  t: TraceState,
  label: string | null,
  sink: ByteSink,
  extra: Record<string, unknown> | (() => Record<string, unknown>),
  buf: Uint8Array,
  rows: Map<number, number> | null = null,
): void {
  const calls = new TapeCalls(t, label, extra, rows);
  try {
    encodeRun(calls, sink, buf);
  } finally {
    calls.giveBack();
  }
}

/** What a raw run (raw_run.ts) keeps of its trace beside the tape: its meta and functions. */
export interface FixedParts {
  meta: Record<string, unknown>;
  entries: Map<number, FunctionEntry>;
}

/** The calls of a trace on the tape, for the encoder (see CallsToEncode). */
export class TapeCalls implements CallsToEncode {
  readonly #t: TraceState;
  readonly #label: string | null;
  readonly #extra: Record<string, unknown> | (() => Record<string, unknown>);
  readonly #rows: Map<number, number> | null;
  /** The span ids the calls that sent trace context gave, by call number (see sentTrace). */
  #sentSpans: Record<string, string> | null = null;
  /** The value writer of the sink last written to. */
  #out: RunSink | null = null;
  #value: ValueWriter = () => {};
  /** The values table of the write (writeTable), made with the value writer. */
  #table: ValueTable | null = null;
  /** Whether writeCalls linked (and so settled) the trace's rows. */
  #linked = false;
  /** The tape's memory callLinks borrowed (CallLinks.borrowed), until given back. */
  #borrowed: Uint8Array | null = null;
  /** A raw run's meta and functions (raw_run.ts): the trace is a tape rebuilt from it. */
  readonly #fixed: FixedParts | null;

  constructor(
    t: TraceState,
    label: string | null,
    extra: Record<string, unknown> | (() => Record<string, unknown>),
    rows: Map<number, number> | null = null,
    fixed: FixedParts | null = null,
  ) {
    this.#t = t;
    this.#label = label;
    this.#extra = extra;
    this.#rows = rows;
    this.#fixed = fixed;
  }

  // The writer's hot path (marked, 767k calls; fib, 243k: the walk, the records and their values
  // in one loop over the tape's columns, no object per call).
  writeCalls(out: RunSink, functions: FunctionTable, records: CallRecords): void {
    const t = this.#t, tp = t.tape;
    keptFromFtl();
    const links = callLinks(t, false, true);
    this.#borrowed = links.borrowed;
    this.#linked = true;
    const { n, rowOf, done, parent, firstChild, next, firstRoot, below, belowBig, preorder } =
      links;
    // Calls left out under each call, and under its descendants, by index (no Map per call):
    // walking in call order, the few calls that have any (spots), else a column of each.
    const spots = t.dropped.size > 0 && preorder && rowOf === null ? droppedSpots(t, links) : null;
    const left = t.dropped.size > 0 && spots === null ? droppedAt(t, links) : null;
    const droppedBelow = left !== null ? droppedUnder(t, links, left) : null;
    let spot = 0, nextSpot = spots !== null && spots.at.length > 0 ? spots.at[0] : -1;
    const startTime = t.startTime;
    // The calls that sent trace context on, by handle (propagate/context.ts): numbered here.
    const sent = sentBy(t);
    const sentSpans = sent !== undefined && sent.spans.size > 0 ? sent.spans : null;
    const spans: Record<string, string> = {};
    const tapeBase = tp.base, rows = this.#rows;
    const value = this.#valueOf(out);
    const fns = tp.fn, states = tp.state, starts = tp.start, ends = tp.end, marksOf = tp.marks;
    const awaitedOf = tp.awaited, firsts = tp.a0, results = tp.result;
    // A whole number is written as storedValue writes it (shownWhole) unless max_repr is below 12.
    const wholes = t.maxRepr >= 12;
    const buf = out.buf;
    // The function of the call before, its index in the table and parameters.
    let lastFn = -1, local = 0, count = 0;
    // One call's record, `at` its ordinal: its head (encode.ts, putRecordHead) and a whole
    // number's value written straight into the buffer, the rest through `out` (a closure called
    // from the walk: optimized on its own, where a path first taken late in a run costs only
    // this function's code, not the walk's loop, replaced on the stack).
    const record = (i: number, at: number): void => {
      const row = rowOf === null ? i : rowOf[i], state = states[row], marks = marksOf[row];
      const finished = done[i] === 1;
      const start = round((starts[row] - startTime) * 1000);
      // The end rounded from the trace's start as the start is (to_json.ts, elapsedUs); its time
      // awaiting (to_json.ts, awaitedUs): negative while suspended.
      let elapsed = 0, awaited = 0;
      if (finished) {
        elapsed = round((ends[row] - startTime) * 1000) - start;
        if (elapsed < 0) elapsed = 0;
        if ((marks & AWAITS) !== 0) {
          const ms = awaitedOf[row];
          if (ms > 0) awaited = min(elapsed, round(ms * 1000));
        }
      }
      // Calls left out directly under this one, and below it (the columns, else the spots).
      const atSpot = left === null && i === nextSpot;
      const dropped = left !== null ? left[i] : atSpot ? spots!.left[spot] : -1;
      const leftBelow = left !== null ? droppedBelow![i] : atSpot ? spots!.below[spot] : 0;
      if (atSpot) nextSpot = ++spot < spots!.at.length ? spots!.at[spot] : -1;
      if (rows !== null && rows.has(row)) rows.set(row, at);
      if (sentSpans !== null) {
        const span = sentSpans.get(tapeBase + row);
        if (span !== undefined) spans[at + 1] = span;
      }
      const fn = fns[row];
      if (fn !== lastFn) {
        lastFn = fn;
        local = functions.localId(fn);
        count = functions.paramCount[local];
      }
      // The head: at most 35 bytes, within the room (SLACK) made here.
      out.room();
      let pos = out.pos;
      pos = putVarint(buf, pos, local);
      const st = !finished ? UNFINISHED : state === THREW ? THREW : RETURNED;
      buf[pos++] = st | (dropped >= 0 ? HAS_DROPPED : 0) |
        (leftBelow > 0 ? HAS_DROPPED_BELOW : 0) | (awaited > 0 ? HAS_AWAITED : 0);
      // Each varint's one byte here (most), more through putVarint.
      let d = below[i];
      if (d === BELOW_BIG && belowBig !== null) d = belowBig.get(i)!;
      if (d < 0x80) buf[pos++] = d;
      else pos = putVarint(buf, pos, d);
      // Its start from its parent's, rounded from the trace's start as its own is.
      const up = parent[i];
      const since = up < 0
        ? start
        : start - round((starts[rowOf === null ? up : rowOf[up]] - startTime) * 1000);
      // zigzag(since), by the same operations whatever its sign (see wholeTag).
      const z = since >= -0x40000000 && since < 0x40000000
        ? (since ^ (since >> 31)) * 2 + ((since >> 31) & 1)
        : since >= 0
        ? since * 2
        : -since * 2 - 1;
      if (z < 0x80) buf[pos++] = z;
      else pos = putVarint(buf, pos, z);
      if (finished) {
        if (elapsed < 0x80) buf[pos++] = elapsed;
        else pos = putVarint(buf, pos, elapsed);
      }
      // The arguments: the one of a function of one parameter (most calls) here when it is a
      // whole number (the value writer's shownWhole: zigzag(v) * 2 + 1), else as writeValues.
      // (wholeOfCode: NaN, never equal to itself, where the code is no whole number's.)
      let v: number;
      if (
        count === 1 && (marks & 1) === 0 && wholes &&
        (v = wholeOfCode(firsts[row >>> VALUE_BITS][row & VALUE_MASK])) === v
      ) {
        const tag = wholeTag(v);
        if (tag < 0x80) buf[pos++] = tag;
        else pos = putVarint(buf, pos, tag);
      } else if (count !== 0) {
        out.pos = pos;
        writeValues(tp, value, out, row, count, marks);
        out.room();
        pos = out.pos;
      }
      if (finished) {
        // Its return value (a whole number here, as the argument), or its error's text.
        if (
          state === RETURNED && (marks & RET_TEXT) === 0 && wholes &&
          (v = wholeOfCode(results[row >>> VALUE_BITS][row & VALUE_MASK])) === v
        ) {
          const tag = wholeTag(v);
          if (tag < 0x80) buf[pos++] = tag;
          else pos = putVarint(buf, pos, tag);
        } else {
          out.pos = pos;
          this.#writeResult(out, value, row, state, marks);
          out.room();
          pos = out.pos;
        }
      }
      // The tail: the counts the head's flags announced.
      if (dropped >= 0) pos = putVarint(buf, pos, dropped);
      if (leftBelow > 0) pos = putVarint(buf, pos, leftBelow);
      if (awaited > 0) pos = putVarint(buf, pos, awaited);
      out.pos = pos;
    };
    keptFromFtl(record, value);
    // Walking the lists: the open calls, by depth, and their ordinals.
    const stack: number[] = ownArray([]), ordinalOf: number[] = ownArray([]);
    // In pre-order: the calls of a large subtree not yet ended (innermost last), each one's
    // ordinal (its index), descendants, and where its subtree ends (an index), and the first of
    // those ends. One is made up to start with (ending at the first call, of no descendants:
    // CallRecords.closed leaves it out), so that the code ending them has run before the loop
    // is optimized (V8 would otherwise throw that code away where the first large one ends).
    const pendingAt: number[] = ownArray([0]),
      pendingBelow: number[] = ownArray([0]),
      pendingEnd: number[] = ownArray([0]);
    let pending = 1, nextEnd = preorder ? 0 : -1;
    let depth = 0, ordinal = 0;
    // Iterative: deep recursion in the program must not overflow tph. In pre-order, the calls
    // in call order, one step each (its ordinal its index; a large subtree's end, for the skip
    // index, known from its descendants); else by the lists, closing each call as its children
    // end.
    let i = preorder ? 0 : firstRoot - 1;
    for (;;) {
      if (preorder) {
        // The large subtrees that end here, innermost first.
        // Read at every step: a read first made where the first large subtree ends, in code
        // optimized before, would have that code thrown away (no type feedback for it).
        const offset = out.flushed + out.pos;
        if (i === nextEnd) {
          while (pending > 0 && pendingEnd[pending - 1] === i) {
            pending--;
            records.closed(pendingAt[pending], pendingBelow[pending], offset);
          }
          nextEnd = pending > 0 ? pendingEnd[pending - 1] : -1;
        }
        if (i >= n) break;
        const at = ordinal++;
        record(i, at);
        let d = below[i];
        if (d === BELOW_BIG && belowBig !== null) d = belowBig.get(i)!;
        // A large subtree, or one in 1024 (whose end CallRecords.closed leaves out when it is
        // not large): the code ending them runs often enough for V8 to keep type feedback of it.
        if (d >= SKIP_MIN || (i & 1023) === 0) {
          pendingAt[pending] = at;
          pendingBelow[pending] = d;
          pendingEnd[pending++] = nextEnd = i + d + 1;
        }
        i++;
      } else if (i < 0) {
        if (depth === 0) break;
        const closing = stack[--depth];
        // Its subtree ends here: in the skip index when large.
        records.closed(ordinalOf[depth], below[closing], out.offset);
        i = next[closing] - 1;
      } else {
        const at = ordinal++;
        record(i, at);
        ordinalOf[depth] = at;
        stack[depth++] = i;
        i = firstChild[i] - 1;
      }
    }
    records.count = ordinal;
    this.#sentSpans = sent !== undefined ? spans : null;
    this.giveBack();
  }

  /** Give back the tape's memory writeCalls borrowed (see CallLinks.borrowed), as zeros. */
  giveBack(): void {
    const borrowed = this.#borrowed;
    this.#borrowed = null;
    if (borrowed !== null) typedFill(borrowed, 0);
  }

  functionEntry(fn: number): FunctionEntry {
    const fixed = this.#fixed;
    if (fixed !== null) return fixed.entries.get(fn)!;
    return functionEntry(runtime().fn(fn));
  }

  /** Write a call's return value (it returned) or its error's text (it threw). */
  #writeResult(
    out: RunSink,
    value: ValueWriter,
    row: number,
    state: number,
    marks: number,
  ): void {
    const tp = this.#t.tape;
    if (state === RETURNED) value(valueAt(tp, tp.result, row), (marks & RET_TEXT) !== 0);
    else if (state === THREW) {
      const e = String(valueAt(tp, tp.result, row));
      out.textValue(e, 0, e.length);
    }
  }

  meta(): Record<string, unknown> {
    if (this.#fixed !== null) return this.#fixed.meta;
    const extra = this.#extra;
    const meta: Record<string, unknown> = {
      // The calls written (writeCalls: callLinks settled every row of the trace) or none.
      ...traceHeader(this.#t, this.#label, this.#linked),
      ...(typeof extra === "function" ? extra() : extra),
    };
    const sent = sentBy(this.#t);
    if (sent !== undefined && this.#sentSpans !== null) {
      // What its outgoing requests carried on (types.ts, SentTraceJSON).
      meta.sent_trace = { trace_id: sent.traceId, spans: this.#sentSpans };
    }
    return meta;
  }

  #valueOf(out: RunSink): ValueWriter {
    if (this.#out !== out) {
      this.#out = out;
      const table = this.#table = new ValueTable(this.#t);
      this.#value = valueWriter(this.#t, out, table);
    }
    return this.#value;
  }

  writeTable(out: RunSink): void {
    const table = this.#table;
    if (table !== null && this.#out === out) return table.write(out);
    out.varint(0);
    out.tableIndex(NO_BLOCKS, 0);
  }
}

/** Whether keptFromFtl has kept the modules' functions (1), and the walk's closures too (2). */
let ftlKept = 0;
/** Whether the process writes its run at its end (writingAtExit): the writes left are its last. */
let atExit = false;

/**
 * Say that the process is writing its run at its end (child.ts): from then on, on Bun, the
 * writer's code is kept from FTL (keptFromFtl). Until then (a server's run per request, blocks),
 * writes that may be many keep FTL's faster code (repeated writes of marked: ~15% less CPU).
 */
export function writingAtExit(): void {
  atExit = true;
}

/**
 * On Bun, at the process's end (writingAtExit), keep the writer's functions (those of the modules,
 * then, given, the walk's `record` and the value writer: once, their code is shared by every
 * closure made of it) from JavaScriptCore's last tier (FTL): that run is written once, and FTL's
 * compiles of them (~85 ms of the compiler thread's CPU for marked every call, the value writer
 * alone 28, on two loaded cores) cost more than its faster code saves in one write.
 */
function keptFromFtl(record: unknown = null, value: unknown = null): void {
  if (!atExit || ftlKept === 2 || (ftlKept === 1 && record === null)) return;
  const f = bunNoFtl();
  if (f === null) {
    ftlKept = 2;
    return;
  }
  const sink = RunSink.prototype, base = Sink.prototype;
  const list = record !== null ? [record, value] : [
    TapeCalls.prototype.writeCalls,
    writeValues,
    ValueTable.prototype.write,
    ValueTable.prototype.entryOf,
    ValueTable.prototype.add,
    remember,
    Slabs.prototype.since,
    FunctionTable.prototype.localId,
    callLinks,
    scrubbedString,
    putVarint,
    sink.stringRepr,
    sink.textValue,
    sink.asciiText,
    sink.fixed,
    sink.varint,
    sink.entryValue,
    base.room,
    base.bytes,
    base.bytesAt,
  ];
  for (let k = 0; k < list.length; k++) f(list[k]);
  ftlKept = record !== null ? 2 : 1;
}

/**
 * Write a call's arguments, where tape.ts keeps them (argAt): a list past 3 parameters and for an
 * external call (`count` -1: counted first), else the first in a0, the others in rest.
 */
function writeValues<T>(
  tp: Tape<T>,
  value: ValueWriter,
  out: RunSink,
  row: number,
  count: number,
  marks: number,
): void {
  if (count < 0 || count > 3) {
    const list = argList(tp, row);
    const m = count < 0 ? list.length : count;
    if (count < 0) out.varint(m);
    for (let a = 0; a < m; a++) value(list[a], argIsText(marks, a));
  } else if (count > 0) {
    value(valueAt(tp, tp.a0, row), (marks & 1) !== 0);
    if (count > 1) {
      const at = tp.argsAt[row] - 1;
      value(valueAt(tp, tp.rest, at), (marks & 2) !== 0);
      if (count > 2) value(valueAt(tp, tp.rest, at + 1), (marks & 4) !== 0);
    }
  }
}

/** The calls that have calls left out under them or their descendants (see droppedSpots). */
interface DroppedSpots {
  /** Their indexes, ascending. */
  at: Int32Array;
  /** Calls left out directly under each, or -1 (as droppedAt). */
  left: Float64Array;
  /** Calls left out under its descendants (as droppedUnder). */
  below: Float64Array;
}

/** Spots at most: past it (or past `n` steps up the parents) the columns are made instead. */
const MAX_SPOTS = 4096;

/**
 * droppedAt and droppedUnder for `tph run`'s trace (a call's index its row) walked in call order,
 * as a short list of the calls that have any: with default settings the calls open when
 * max_calls was reached and their ancestors. The two columns of a row each were 1.6 MB for
 * 100,000 calls, ~400 pages first written (a page fault each: 17 µs of CPU on the virtual
 * machines measured). Null when there are too many.
 */
function droppedSpots(t: TraceState, links: CallLinks): DroppedSpots | null {
  const { n, parent } = links;
  const left = new SafeMap<number, number>(), below = new SafeMap<number, number>();
  let steps = n, ok = true;
  t.dropped.forEach((count, row) => {
    if (row >= 0 && row < n) left.set(row, count);
  });
  t.dropped.forEach((count, row) => {
    if (!ok || !(row >= 0 && row < n && count > 0)) return;
    for (let p = parent[row]; p >= 0; p = parent[p]) {
      if (steps-- < 0) {
        ok = false;
        return;
      }
      below.set(p, (below.get(p) ?? 0) + count);
    }
  });
  if (!ok) return null;
  const keys: number[] = ownArray([]);
  left.forEach((_, row) => {
    keys[keys.length] = row;
  });
  below.forEach((_, row) => {
    if (!left.has(row)) keys[keys.length] = row;
  });
  const m = keys.length;
  if (m > MAX_SPOTS) return null;
  // Insertion sort (a few entries; Array.prototype.sort is the program's to replace).
  for (let a = 1; a < m; a++) {
    const k = keys[a];
    let b = a - 1;
    for (; b >= 0 && keys[b] > k; b--) keys[b + 1] = keys[b];
    keys[b + 1] = k;
  }
  const at = new Int32Array(m), l = new Float64Array(m), d = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const row = keys[a];
    at[a] = row;
    l[a] = left.get(row) ?? -1;
    d[a] = below.get(row) ?? 0;
  }
  return { at, left: l, below: d };
}

/**
 * Per call (by its index in `links`), the calls left out directly under it, or -1 where the trace
 * says none (TraceState.dropped, by row). `tph run`'s trace (every row its own: a call's index
 * is its row) takes them from the Map's few entries (with default settings, the calls open when
 * max_calls was reached) rather than a look-up per call.
 */
function droppedAt(t: TraceState, links: CallLinks): Float64Array {
  const { n, rowOf } = links;
  const dropped = t.dropped;
  const left = new Float64Array(n);
  typedFill(left, -1);
  if (rowOf === null) {
    dropped.forEach((count, row) => {
      if (row >= 0 && row < n) left[row] = count;
    });
  } else {
    for (let i = 0; i < n; i++) left[i] = dropped.get(rowOf[i]) ?? -1;
  }
  return left;
}

/**
 * Per call, the calls left out under its descendants. `tph run`'s trace (a call's index its row)
 * leaves out calls under a few (with default settings, the calls open when max_calls was
 * reached): each one's count is added up its chain of ancestors, in as many steps as there are
 * calls at most (a pass over every call, cold, took 7–38 ms of a 100,000-call write on Deno).
 * Otherwise, or past that, a parent comes before its children: one backward pass adds them up.
 */
function droppedUnder(t: TraceState, links: CallLinks, left: Float64Array): Float64Array {
  const { n, parent, rowOf } = links;
  const droppedBelow = new Float64Array(n);
  if (rowOf === null) {
    let steps = n;
    t.dropped.forEach((count, row) => {
      if (steps < 0 || !(row >= 0 && row < n && count > 0)) return;
      for (let p = parent[row]; p >= 0 && steps-- >= 0; p = parent[p]) droppedBelow[p] += count;
    });
    if (steps >= 0) return droppedBelow;
    typedFill(droppedBelow, 0);
  }
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i];
    if (p >= 0) {
      const own = left[i];
      droppedBelow[p] += own > 0 ? droppedBelow[i] + own : droppedBelow[i];
    }
  }
  return droppedBelow;
}

/** Writes one value of a call (an argument, its return: whether it is an index into texts). */
type ValueWriter = (v: unknown, isText: boolean) => void;

/** Bytes of one value remembered at most. */
const MAX_COPY = 4096;
/** Bytes of a slab the values remembered are copied into (see valueWriter's copyFrom). */
const SLAB = 1 << 14;
const EMPTY = new Uint8Array(0);

/** Writes one value of a call (an argument, its return), as the run format stores it. */
function valueWriter(t: TraceState, out: RunSink, table: ValueTable): ValueWriter {
  const { tape: tp, maxRepr } = t;
  const text = (s: string, from: number, to: number) => out.textValue(s, from, to);
  const whole = (n: number) => out.wholeValue(n);
  const shown = reprLimit(maxRepr);
  const scanFrom = table.scanFrom;
  // The strings written lately by length (its low bits): the one seen last of its length, and the
  // bytes of the one seen twice in a row (the same string goes down a chain of calls), each
  // remembered copy as its slab, where in it and its length.
  const strSeen = ownArray<string[]>([]), strKey = ownArray<string[]>([]);
  const strSlab = ownArray<Uint8Array[]>([]);
  const strAt = new Int32Array(STR_MASK + 1), strLength = new Int32Array(STR_MASK + 1);
  for (let h = 0; h <= STR_MASK; h++) {
    strSeen[h] = strKey[h] = "";
    strSlab[h] = EMPTY;
  }
  // No string of its slot is one character long ("" is seen first).
  strKey[0] = "-";
  const slabs = new Slabs();
  // By index, each entry of the values table (ValueTable) + 1; null: the table's Map.
  const direct = table.direct;
  // One function, its text's and string's paths in it rather than closures of their own: with
  // default settings a run is written once, cold, and V8's optimizing compiler inlined a smaller
  // writer (and what it calls) into each of its callers, compiling it three times over on another
  // thread for a write of 100,000 calls (~10 ms of the process's CPU on Node at load 9). Too large
  // to inline (V8 inlines functions of up to 460 bytes of bytecode), it is compiled once.
  return function writeValue(v: unknown, isText: boolean): void {
    if (isText) {
      // A text's or kept string's index (recorder.ts, keepString): a reference to its entry of
      // the values table, whose bytes are made once, after the calls (ValueTable.write).
      const k = v as number, i = k < 0 ? -1 - k : table.base + k;
      if (direct !== null && i < direct.length) {
        const e = direct[i];
        out.entryValue(e !== 0 ? e - 1 : table.add(k, i));
      } else out.entryValue(table.entryOf(k, i));
    } else if (typeof v === "string") {
      // A string stored as it is (recorder.ts, keep: an argument at MARKED_ARGS or past it, or
      // with TPH_STRINGS=raw): one seen twice in a row in its slot is copied.
      const h = v.length & STR_MASK;
      if (strKey[h] === v) {
        return copied(out, strSlab, strAt, strLength, h);
      }
      const again = strSeen[h] === v;
      strSeen[h] = v;
      let from = 0, flushed = 0;
      if (again) {
        out.room();
        from = out.pos;
        flushed = out.flushed;
      }
      const scrubbed = v.length < scanFrom ? null : scrubbedString(t, v);
      if (scrubbed !== null) out.textValue(scrubbed, 0, scrubbed.length);
      else if (!out.stringRepr(v, shown)) storedValue(tp, v, false, maxRepr, text, whole);
      if (again) {
        if (remember(slabs, out, from, flushed, strSlab, strAt, strLength, h)) strKey[h] = v;
      }
    } else if (v === undefined && shown >= 9) out.fixed(TEXT_UNDEFINED);
    // A whole number as storedValue writes it, without its two calls.
    else if (typeof v === "number" && shownWhole(v, maxRepr)) out.wholeValue(v);
    else if (typeof v === "boolean" && shown >= 5) out.fixed(v ? TEXT_TRUE : TEXT_FALSE);
    else if (v === null && shown >= 4) out.fixed(TEXT_NULL);
    else storedValue(tp, v, false, maxRepr, text, whole);
  };
}

const NO_BLOCKS = new Float64Array(0);
/** Indexes into the tape's kept strings and texts at most, a call, for the table's direct array. */
const INDEXES_A_CALL = 8;

/**
 * The values table (format.ts, format 3) of one write: each kept string and text the calls refer
 * to by index (recorder.ts, keepString; tape.ts, Texts), numbered at its first use, its bytes
 * made once when the table is written after the calls (marked every call: ~940k references to
 * 166k kept strings, ~410k to 398 texts). An index is a kept string's -1 - k or a text's
 * `base` + k. By index in a typed array, or in a Map when the tape holds far more strings than
 * the write has calls (a server's run per request).
 */
class ValueTable {
  readonly t: TraceState;
  /** Kept strings on the tape when the write began: a text's index comes after them. */
  readonly base: number;
  /** Per index, its entry + 1 (0: none yet); null when `map` holds them. */
  readonly direct: Int32Array | null;
  readonly #map: Map<number, number> = new Map();
  /** Per entry, its text's or kept string's k (see recorder.ts, keepString). */
  #keys = new Int32Array(1024);
  count = 0;
  /** Scanned for secrets (to_json.ts, scrubbedString): the known ones are never shorter. */
  readonly scanFrom: number;

  constructor(t: TraceState) {
    this.t = t;
    const tp = t.tape;
    const base = this.base = tp.strings.length;
    const calls = max(0, (t.endRow >= 0 ? t.endRow : tp.rows) - t.firstRow);
    const indexes = base + tp.texts.count;
    this.direct = indexes <= calls * INDEXES_A_CALL + 4096 ? new Int32Array(indexes) : null;
    const scrubs = t.scrubs;
    this.scanFrom = scrubs === null ? Infinity : scrubs.values !== null ? 0 : SHORTEST_KNOWN;
  }

  /** The entry of k (index `i`), added when it has none (see valueWriter). */
  entryOf(k: number, i: number): number {
    const direct = this.direct;
    if (direct !== null && i < direct.length) {
      const e = direct[i];
      return e !== 0 ? e - 1 : this.add(k, i);
    }
    const e = this.#map.get(i);
    return e !== undefined ? e : this.add(k, i);
  }

  /** A new entry for k (index `i`). */
  add(k: number, i: number): number {
    const e = this.count++;
    let keys = this.#keys;
    if (e >= keys.length) {
      const grown = new Int32Array(keys.length * 2);
      for (let j = 0; j < keys.length; j++) grown[j] = keys[j];
      keys = this.#keys = grown;
    }
    keys[e] = k;
    const direct = this.direct;
    if (direct !== null && i < direct.length) direct[i] = e + 1;
    else this.#map.set(i, e);
    return e;
  }

  /**
   * Write the table: its count, then each entry's value as the calls held it before the table
   * (a kept string as a string stored as it is, scanned for secrets; a text from its chunk's
   * bytes), then the block index (where each TABLE_BLOCK entries begin).
   */
  write(out: RunSink): void {
    const t = this.t, tp = t.tape, maxRepr = t.maxRepr, shown = reprLimit(maxRepr);
    const text = (s: string, from: number, to: number) => out.textValue(s, from, to);
    const whole = (n: number) => out.wholeValue(n);
    const strings = tp.strings, texts = tp.texts, chunkBytes = new ChunkBytes(texts);
    const keys = this.#keys, n = this.count, scanFrom = this.scanFrom;
    out.varint(n);
    // Where each block of TABLE_BLOCK entries starts, for the block index after them.
    const blocks = floor((n + TABLE_BLOCK - 1) / TABLE_BLOCK), starts = new Float64Array(blocks);
    for (let b = 0, e = 0; b < blocks; b++) {
      starts[b] = out.offset;
      for (const last = min(n, e + TABLE_BLOCK); e < last; e++) {
        const k = keys[e];
        if (k < 0) {
          const v = strings[-1 - k];
          // A snapshot where it held a secret when a raw run was written (raw_run.ts): its text.
          if (typeof v !== "string") {
            storedValue(tp, v, false, maxRepr, text, whole);
            continue;
          }
          const scrubbed = v.length < scanFrom ? null : scrubbedString(t, v);
          if (scrubbed !== null) out.textValue(scrubbed, 0, scrubbed.length);
          else if (!out.stringRepr(v, shown)) storedValue(tp, v, false, maxRepr, text, whole);
        } else writeText(out, texts, chunkBytes, k);
      }
    }
    out.tableIndex(starts, blocks);
  }
}

/** Writes text `k` of `texts`: its bytes copied from its chunk's, when they are made. */
function writeText(out: RunSink, texts: Texts, chunkBytes: ChunkBytes, k: number): void {
  texts.locate(k);
  const c = texts.chunk;
  const bytes = c < 0 ? null : chunkBytes.bytes(c);
  if (bytes === null) out.textValue(texts.text, texts.from, texts.to, texts.cut);
  else {
    const ends = chunkBytes.ends;
    if (ends === null) out.asciiText(bytes, texts.from, texts.to, texts.cut);
    else {
      const i = k - texts.firsts[c];
      out.asciiText(bytes, i === 0 ? 0 : ends[i - 1], ends[i], texts.cut);
    }
  }
}

/** Slots of the strings written lately (see writeString), less one. */
const STR_MASK = 255;

/**
 * Writes the bytes remembered in slot `h` (see remember): from its slab, where in it and its
 * length, a byte at a time (see Slabs: no view made on any engine).
 */
function copied(
  out: RunSink,
  slab: Uint8Array[],
  at: Int32Array,
  length: Int32Array,
  h: number,
): void {
  out.bytesAt(slab[h], at[h], length[h]);
}

/**
 * Remembers in slot `h` a copy of the bytes `out` wrote since `from` (see Slabs.since): whether
 * it could (none when the sink flushed between, or past MAX_COPY).
 */
function remember(
  slabs: Slabs,
  out: RunSink,
  from: number,
  flushed: number,
  slab: Uint8Array[],
  at: Int32Array,
  length: Int32Array,
  h: number,
): boolean {
  const a = slabs.since(out, from, flushed);
  if (a < 0) return false;
  slab[h] = slabs.slab;
  at[h] = a;
  length[h] = out.pos - from;
  return true;
}

/**
 * A whole number's value (an int32): zigzag(v) * 2 + 1, by the same operations whatever its sign
 * (an operation first run late in a run, in code optimized before, has that code thrown away).
 */
function wholeTag(v: number): number {
  const sign = v >> 31;
  return (v ^ sign) * 4 + 1 + (sign & 2);
}

/** Whether storedValue writes the number `v` as a whole number (not -0, nor past int32). */
function shownWhole(v: number, maxRepr: number): boolean {
  return (v | 0) === v && (v !== 0 || 1 / v > 0) && maxRepr >= 12;
}

/**
 * Copies of bytes in slabs: a new typed array with memory of its own for each costs twice as much
 * before the writer's code is optimized, and most writes run cold. A copy is its slab, where in it
 * and its length, copied a byte at a time, on every engine. On Bun a view a copy, the view of
 * `out.buf` copied from and set()'s arguments (an array a call of a captured built-in on Bun,
 * where not optimized away) were most of the write's garbage (marked every call: ~23k copies,
 * ~150k objects). On V8 the views (one kept a copy, ~91k strings' on marked, or one made a copy
 * written, ~690k) grew the young generation during the write: peak RSS +12 to +21 MB on Deno
 * (bench/rss49.ts), for no write time saved (the copies average ~21 bytes).
 */
class Slabs {
  /** The slab the last copy went into. */
  slab: Uint8Array = EMPTY;
  #at = 0;

  /**
   * Copy the bytes `out` wrote since `from` (no flush between, MAX_COPY at most) into `slab`;
   * where they are in it, or -1.
   */
  since(out: RunSink, from: number, flushed: number): number {
    const n = out.pos - from;
    if (out.flushed !== flushed || n > MAX_COPY) return -1;
    if (this.#at + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB);
      this.#at = 0;
    }
    const at = this.#at, slab = this.slab, buf = out.buf;
    for (let k = 0; k < n; k++) slab[at + k] = buf[from + k];
    this.#at = at + n;
    return at;
  }
}

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]+/g;
const SURROGATE = /[\ud800-\udfff]/;

/** Bytes of chunks of texts the encoder made at once, held at most. */
const HELD_BYTES = 16 << 20;

/**
 * The UTF-8 bytes of the tape's joined texts, a chunk at a time: a text is copied from them
 * instead of read a character at a time. For a chunk that is not all ASCII (one summary's "…" is
 * enough: the texts of most real programs), where each of its texts ends in the bytes too. Null
 * for a chunk holding a surrogate (a text's half of a pair is written as the JSON's escape), and
 * for every chunk once they have been made so often (texts written far out of their order) that
 * making them costs more than it saves.
 */
class ChunkBytes {
  readonly #held: (Uint8Array | null | undefined)[] = [];
  /** Per chunk held, where each of its texts ends in its bytes (null: all ASCII, as in units). */
  readonly #ends: (Int32Array | null)[] = [];
  /** Chunks held, oldest first from `#first`, and the bytes they hold. */
  readonly #order: number[] = ownArray([]);
  #first = 0;
  #bytes = 0;
  #made = 0;
  readonly texts: Texts;
  /** The byte ends of the chunk `bytes` last returned (null: its texts' ends are its bytes'). */
  ends: Int32Array | null = null;
  constructor(texts: Texts) {
    this.texts = texts;
  }

  bytes(c: number): Uint8Array | null {
    const had = this.#held[c];
    if (had !== undefined) {
      this.ends = this.#ends[c];
      return had;
    }
    const chunks = this.texts.chunks;
    if (this.#made > 2 * chunks.length + 16) return null;
    this.#made++;
    const text = chunks[c];
    let bytes: Uint8Array | null = null, ends: Int32Array | null = null;
    NON_ASCII.lastIndex = 0;
    let run = regexExec(NON_ASCII, text);
    if (run === null) bytes = utf8(text);
    else if (regexExec(SURROGATE, text) === null) {
      // Each text's end moved on by the bytes its characters past ASCII take beyond one.
      const units = this.texts.ends[c];
      ends = new Int32Array(units.length);
      let extra = 0, i = 0;
      while (run !== null) {
        const at = run.index, chars = run[0];
        for (; i < units.length && units[i] <= at; i++) ends[i] = units[i] + extra;
        for (let k = 0; k < chars.length; k++) {
          for (; i < units.length && units[i] <= at + k; i++) ends[i] = units[i] + extra;
          extra += charCodeAt(chars, k) < 0x800 ? 1 : 2;
        }
        run = regexExec(NON_ASCII, text);
      }
      for (; i < units.length; i++) ends[i] = units[i] + extra;
      bytes = utf8(text);
    }
    this.#held[c] = bytes;
    this.#ends[c] = ends;
    this.ends = ends;
    const order = this.#order;
    order[order.length] = c;
    if (bytes !== null) this.#bytes += bytes.length;
    // A text stored once is written wherever it comes again (tape.ts): chunks are held by the
    // bytes they take rather than by number.
    while (this.#bytes > HELD_BYTES && this.#first < order.length - 1) {
      const old = order[this.#first++];
      this.#bytes -= this.#held[old]?.length ?? 0;
      this.#held[old] = undefined;
      this.#ends[old] = null;
    }
    return bytes;
  }
}

/** Whether argument `i` of a row is stored as an index into the tape's texts. */
function argIsText(marks: number, i: number): boolean {
  return i < MARKED_ARGS && ((marks >>> i) & 1) === 1;
}
