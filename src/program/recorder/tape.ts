// Where calls are recorded: columns of typed arrays, one row per call, shared by the traces that
// record at the same time. One object per call made V8 copy every record at each scavenge (all
// of them survive): columns cost the garbage collector nothing and take a third of the memory.
//
// Invariants (the recorder keeps them; to_json and trace_state rely on them):
// - A call is known to instrumented code by its handle, `base + row`, or -1 when it is not
//   recorded. A new tape starts when a trace starts and no trace records on the current one; its
//   `base` is the previous tape's base plus that tape's rows. Handles are never reused, so a
//   handle is live exactly when it is at least the current tape's `base`: a call that ends or
//   resumes after its tape was retired is known as stale however many tapes later, and never
//   touches a row of another tape. Handles count calls recorded in the process: they stay small
//   integers (V8's fast kind; a larger one cost Deno ~25% a call) for the first 2^31 calls, and
//   exact up to MAX_HANDLE.
// - `parent` holds the parent's row on the same tape (a parent is always live when its child
//   starts), or -1 for a root; `prev` holds the stack owner to give back to (a handle, which may
//   be stale, or -1) only where it is not the parent's handle (prevOf: 0 stands for the parent).
// - `slot` indexes `traces`. A trace keeps its slot while any row carries it; a trace that
//   stopped without writing a row gives its slot back for the next trace, so `traces` grows only
//   with traces that recorded something (at most one per row). Rows of a trace lie in
//   [firstRow, endRow) of its tape: none are written once it stopped.
//
// The layout. Typed columns, one value per row: fn, parent, start, end, state, marks, and
// slot, prev and awaited written only where not 0 (a page never written costs nothing); on V8
// made at the planned room once the first FIRST_ROWS rows are filled, on Bun four times at a step
// (Tape.grow), then doubled. Value columns a0 and result: int32 codes in chunks of 2^16 rows, each
// made when a row first reaches it and never copied (a row's chunk is `row >>> VALUE_BITS`:
// valueAt, setValueAt, argAt). A code is the value itself for most (whole numbers, among them the
// indexes of texts and kept strings), one of a few for undefined, null, true and false, else the
// index of the value in the tape's `others` (codeOf): the collector has nothing to scan in them,
// and a run is written with the chunks as they are. A call of a traced function of 1 to 3
// parameters keeps its first argument in a0 and the others one after another in `rest` (chunks as
// a0's; `argsAt`, a typed column, says where): no array per call, nothing for the collector, and
// calls of one parameter leave no room unused. A call of more parameters, or out of the traced code, keeps the list of
// them all in a0 (argList).
// A call's depth (for max_depth) is no column written per row: the recorder keeps the depth of the
// call that owns the stack as calls begin and end, and walks the parents when it must
// (recorder.ts, depthOf); a call that suspends keeps its depth in `depth` (made when first
// written), for its resumes.

// A program may have replaced Array.prototype.join or String.prototype.slice.
import {
  arrayFill,
  arrayJoin as joinArray,
  bufferRelease,
  bufferResize,
  int32Sub,
  ownArray,
  SafeMap,
  strSlice,
  typedSet,
} from "../../platform/intrinsics.ts";
import { UNFINISHED } from "../../run_file/call_state.ts";
import process from "../../platform/node_process.ts";
import {
  Array,
  ArrayBuffer,
  Float64Array,
  Int32Array,
  Map,
  Math,
  Uint8Array,
} from "../../platform/globals.ts";
import { ftlCandidates } from "./ftl.ts";

/**
 * Rows one tape holds at most (67,108,864 calls; a trace records no more, the rest are counted
 * as left out by max_calls). Columns grow by doubling, so only a run that big pays for them: a
 * 50M-call run of fib holds ~6 GB until it is saved.
 */
export const MAX_ROWS = 1 << 26;
/** The room a tape starts with, at most (Tape.plan). */
export const FIRST_ROWS = 4096;
/**
 * The least room Bun's columns grow to from FIRST_ROWS (Tape.grow): 2^18 rows (15 MB of columns,
 * made lazily) skip two steps' copies: fib(25), 242,785 calls, −3 to −4 ms of its 37–41 ms
 * (in-process, thread CPU time); peak RSS within noise.
 */
export const BUN_STEP = 1 << 18;
/** Handles stay below this (exact integers): past it a new tape is no longer started. */
export const MAX_HANDLE = 2 ** 53 - MAX_ROWS;
/**
 * A row's state: how its call ended (call_state.ts: RETURNED, THREW), OPEN while it runs (a call
 * the trace stops before it ends is written as UNFINISHED), or HIDDEN: the row only carries the
 * stack of a call a limit left out, and is never written.
 */
export const OPEN = UNFINISHED, HIDDEN = 3;

/** Argument positions whose text a row can mark (see `marks`); later ones keep a wrapper. */
export const MARKED_ARGS = 28;
/**
 * The bit of `marks` saying the call suspended at least once: only then does it have a time
 * awaiting (`awaited`), so a sync call's row never touches that column's memory.
 */
export const AWAITS = 1 << 28;
/**
 * The bit of `marks` saying the call is past its function's detail budget: its objects are
 * summarised (`Token {…}`) when it ends, unless it throws or a value looked for is found in it.
 */
export const BRIEF = 1 << 29;
/**
 * The bit of `marks` saying the row's arguments still hold objects themselves (a call past the
 * detail budget, until it ends: details.ts, settleArgs).
 */
export const PENDING = 1 << 30;
/**
 * Bits of `marks` saying which of arguments 0–2 of a call of a traced function of 1 to 3 parameters
 * still holds its object (with PENDING; bit 3 for argument 0, 4 and 5 for the second and third):
 * text bits that such a call never uses (its arguments' texts are bits 0–2). settleArgs reads
 * only those values. A call whose arguments are a list (argList) has none and `argsAt` -1 while
 * PENDING.
 */
export const PENDING_ARG = 1 << 3;
/** The three bits of PENDING_ARG (see there). */
export const PENDING_ARGS = 7 << 3;

/** The bit of `marks` saying the return value is a text index. */
export const RET_TEXT = 1 << 31;

// The reprs of recorded objects. One string per value made the few live strings pin the
// allocator's pages among the garbage their building left (Bun: a million kept reprs held
// ~390 MB of RSS after a full GC, ~200 MB of it freed seconds later). Joined a batch at a
// time they are a few long strings, and the pieces of a batch die together.
const BATCH = 1024;
// A batch is joined sooner when its texts are long (a large max_repr), so a chunk stays far
// below the engines' string length limit.
const CHUNK_CHARS = 1 << 20;
/** Distinct texts remembered to be stored once (the maps start over when they hold this many). */
const MAX_RECENT = 1 << 16;

/**
 * Texts stored by index, packed into chunks. A text cut short is kept without its closing "…"
 * and marked cut: most reprs are ASCII but for that character, and a chunk of ASCII is written by
 * copying its bytes (run_writer.ts).
 */
export class Texts {
  /** Joined texts, the index of each chunk's first text, and where each of its texts ends. */
  readonly chunks: string[] = [];
  readonly firsts: number[] = [];
  readonly ends: Int32Array[] = [];
  /** Per chunk, 1 for each of its texts that was cut (its "…" left out). */
  readonly cuts: Uint8Array[] = [];
  /** Texts stored so far. */
  count = 0;
  // The batch being filled; a slot past `n` holds "".
  readonly #batch: string[] = [];
  readonly #batchCuts = new Uint8Array(BATCH);
  /**
   * Texts stored lately and their indexes, whole and cut: the same reprs come again and again (the
   * 830,655 texts of yaml parsing a document hold 53,807 distinct ones), and a text is stored once.
   */
  readonly #recent: Map<string, number> = new SafeMap<string, number>();
  readonly #recentCut: Map<string, number> = new SafeMap<string, number>();
  #n = 0;
  #chars = 0;
  #last = 0;
  /**
   * Where the text `locate` found is: `text.slice(from, to)`, in chunk `chunk` (-1: unjoined),
   * followed by "…" when `cut`.
   */
  text = "";
  from = 0;
  to = 0;
  chunk = -1;
  cut = false;

  constructor() {
    for (let i = 0; i < BATCH; i++) this.#batch[i] = "";
  }

  /**
   * Store a text, which `cut` says was cut short (and lacks its "…"); returns its index, that of
   * the same text stored lately when there is one.
   */
  add(s: string, cut: boolean): number {
    const recent = cut ? this.#recentCut : this.#recent;
    const known = recent.get(s);
    if (known !== undefined) return known;
    if (recent.size >= MAX_RECENT) recent.clear();
    recent.set(s, this.count);
    this.#batchCuts[this.#n] = cut ? 1 : 0;
    this.#batch[this.#n++] = s;
    this.#chars += s.length;
    if (this.#n === BATCH || this.#chars >= CHUNK_CHARS) this.#seal();
    return this.count++;
  }

  #seal(): void {
    const batch = this.#batch, n = this.#n;
    const ends = new Int32Array(n);
    let end = 0;
    for (let i = 0; i < n; i++) {
      end += batch[i].length;
      ends[i] = end;
    }
    const c = this.chunks.length;
    this.chunks[c] = joinArray(batch, "");
    this.firsts[c] = this.count + 1 - n;
    this.ends[c] = ends;
    const cuts = new Uint8Array(n), batchCuts = this.#batchCuts;
    for (let i = 0; i < n; i++) cuts[i] = batchCuts[i];
    this.cuts[c] = cuts;
    for (let i = 0; i < n; i++) batch[i] = "";
    this.#n = 0;
    this.#chars = 0;
  }

  /** Find text `k`: sets `text`, `from` and `to`. */
  locate(k: number): void {
    const firsts = this.firsts, nc = firsts.length;
    const pending = this.count - this.#n;
    if (k >= pending) {
      this.text = this.#batch[k - pending];
      this.cut = this.#batchCuts[k - pending] === 1;
      this.chunk = -1;
      this.from = 0;
      this.to = this.text.length;
      return;
    }
    let c = this.#last;
    if (!(c < nc && firsts[c] <= k && (c + 1 === nc || k < firsts[c + 1]))) {
      // The last chunk whose first text is at or before k.
      let lo = 0, hi = nc - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (firsts[mid] <= k) lo = mid;
        else hi = mid - 1;
      }
      c = this.#last = lo;
    }
    const i = k - firsts[c], ends = this.ends[c];
    this.text = this.chunks[c];
    this.cut = this.cuts[c][i] === 1;
    this.chunk = c;
    this.from = i === 0 ? 0 : ends[i - 1];
    this.to = ends[i];
  }

  /** Text `k`. */
  get(k: number): string {
    this.locate(k);
    const text = this.from === 0 && this.to === this.text.length
      ? this.text
      : strSlice(this.text, this.from, this.to);
    return this.cut ? text + "…" : text;
  }
}

/** Rows a value chunk holds (see Tape.a0): a row's chunk is `row >>> VALUE_BITS`. */
export const VALUE_BITS = 16;
const VALUE_ROWS = 1 << VALUE_BITS;
export const VALUE_MASK = VALUE_ROWS - 1;

/** A value column: chunks of VALUE_ROWS codes (the first may be shorter: see Tape.a0). */
export type ValueColumn = Int32Array[];

/**
 * Codes from OTHERS on: the value is `others[code - OTHERS]` of the tape. Whole numbers from
 * -OTHERS up to SMALL are their own code, plus one from 0 (0 is undefined, as a chunk is made).
 */
export const OTHERS = 0x40000000;
const SMALL = OTHERS - 1;
/** The codes of null, true and false. */
export const C_NULL = -OTHERS - 1, C_TRUE = -OTHERS - 2, C_FALSE = -OTHERS - 3;

/**
 * The code of value `v` on tape `tp` (see OTHERS): a value that is no whole number in range nor
 * undefined, null, true or false is added to the tape's `others`. Small, to be inlined where
 * calls are recorded: the common case here (the indexes of texts and kept strings), the rest out
 * of line.
 */
export function codeOf<T>(tp: Tape<T>, v: unknown): number {
  return typeof v === "number" && (v | 0) === v && v >= -OTHERS && v < SMALL &&
      (v !== 0 || 1 / v > 0)
    ? v >= 0 ? v + 1 : v
    : v === undefined
    ? 0
    : otherCode(tp, v);
}

/** codeOf's other cases. */
function otherCode<T>(tp: Tape<T>, v: unknown): number {
  if (v === null) return C_NULL;
  if (v === true) return C_TRUE;
  if (v === false) return C_FALSE;
  // A place let go first (an object kept until summarised, replaced by its text: most of them).
  // Every write within the arrays' room (one past it is looked up on the prototypes).
  let k: number;
  if (tp.freeLen > 0) k = tp.free[--tp.freeLen];
  else {
    k = tp.othersLen++;
    if (k === tp.others.length) tp.others = copyValues(tp.others, k * 2, k);
  }
  tp.others[k] = v;
  return OTHERS + k;
}

/** A list of `n` values, undefined but the first `count` of `from`. */
export function copyValues(from: unknown[], n: number, count: number): unknown[] {
  const to = arrayFill(new Array(n), undefined);
  for (let i = 0; i < count; i++) to[i] = from[i];
  return to;
}

/** The value of code `c` on tape `tp` (see codeOf). */
export function valueOfCode<T>(tp: Tape<T>, c: number): unknown {
  if (c > 0) return c < OTHERS ? c - 1 : tp.others[c - OTHERS];
  if (c >= -OTHERS) return c === 0 ? undefined : c;
  return c === C_NULL ? null : c === C_TRUE;
}

/** The whole number code `c` stands for, or NaN where it stands for another value. */
export function wholeOfCode(c: number): number {
  return c > 0 ? (c < OTHERS ? c - 1 : NaN) : c >= -OTHERS && c !== 0 ? c : NaN;
}

/** A value column's value at `row` (see Tape.a0). */
export function valueAt<T>(tp: Tape<T>, col: ValueColumn, row: number): unknown {
  return valueOfCode(tp, col[row >>> VALUE_BITS][row & VALUE_MASK]);
}

/**
 * Set a value column's value at `row`: a value of `others` it replaces is let go (the program's
 * objects are not held for a row that no longer shows them).
 */
export function setValueAt<T>(tp: Tape<T>, col: ValueColumn, row: number, v: unknown): void {
  const chunk = col[row >>> VALUE_BITS], j = row & VALUE_MASK;
  if (chunk[j] >= OTHERS) letGo(tp, chunk[j]);
  chunk[j] = codeOf(tp, v);
}

/** Let go of the value of code `c` (one of the tape's others): its place is the next one's. */
export function letGo<T>(tp: Tape<T>, c: number): void {
  tp.others[c - OTHERS] = undefined;
  if (tp.freeLen === tp.free.length) {
    const more = new Int32Array(tp.freeLen * 2);
    typedSet(more, tp.free, 0);
    tp.free = more;
  }
  tp.free[tp.freeLen++] = c - OTHERS;
}

/**
 * Argument `i` of a row as stored, for a function of `count` parameters (`external`: a call out
 * of the traced code). Where a call's arguments are: of a traced function of 1 to 3 parameters,
 * the first in `a0`, the second and third in `rest` (from `argsAt[row] - 1`); of more parameters
 * (or a rest), and an external call's, a list of them all in `a0` (argList).
 */
export function argAt<T>(
  tp: Tape<T>,
  row: number,
  i: number,
  count: number,
  external: boolean,
): unknown {
  if (!external && count <= 3) {
    return i === 0 ? valueAt(tp, tp.a0, row) : valueAt(tp, tp.rest, tp.argsAt[row] + i - 2);
  }
  return argList(tp, row)[i];
}

/** Set argument `i` of a row as stored (see argAt). */
export function setArgAt<T>(
  tp: Tape<T>,
  row: number,
  i: number,
  count: number,
  external: boolean,
  v: unknown,
): void {
  if (!external && count <= 3) {
    if (i === 0) setValueAt(tp, tp.a0, row, v);
    else setValueAt(tp, tp.rest, tp.argsAt[row] + i - 2, v);
  } else argList(tp, row)[i] = v;
}

/** The list of arguments of an external call, or of a call of a function of more than 3. */
export function argList<T>(tp: Tape<T>, row: number): unknown[] {
  return valueAt(tp, tp.a0, row) as unknown[];
}

/** The handle a row's call gives the stack back to (maybe stale), or -1 (see Tape.prev). */
export function prevOf<T>(tp: Tape<T>, row: number): number {
  // A tape whose `prev` was never written is not read (each page of it read costs a fault).
  if (tp.prevWritten) {
    const v = tp.prev[row];
    if (v !== 0) return v - 2;
  }
  const p = tp.parent[row];
  return p < 0 ? -1 : tp.base + p;
}

/** Row `row`'s `depth` (Tape.depth): 0 where never written. */
export function suspendedDepth(tp: Tape<unknown>, row: number): number {
  const col = tp.depth;
  return row < col.length ? col[row] : 0;
}

/** Set row `row`'s `depth` (Tape.depth), the column made at the tape's room when first written. */
export function setDepth(tp: Tape<unknown>, row: number, d: number): void {
  if (tp.depth.length === 0) tp.depth = new Int32Array(tp.cap);
  tp.depth[row] = d;
}

/**
 * Bytes a row takes in the typed columns made together (Columns): prev, start, end, awaited (8
 * each), fn, parent, slot, marks, argsAt (4 each), state (1).
 */
const ROW_BYTES = 4 * 8 + 5 * 4 + 1;
/** Past this many bytes, each column is made on its own (an engine's limit on one buffer). */
const ONE_BUFFER_BYTES = 1 << 30;

/**
 * The typed columns of `cap` rows, made as views of one ArrayBuffer: each typed array made
 * reports its memory to the engine, and on Bun a report can start a full collection right there
 * (marked every call: the step from 2^18 to 2^20 rows ran three, 20–37 ms each, in 65–117 ms of
 * growth); one buffer reports once. Float64 columns first, so that every view is aligned.
 */
class Columns {
  #buffer: ArrayBuffer | null;
  /** The one buffer, or null where each column is made on its own. */
  get buffer(): ArrayBuffer | null {
    return this.#buffer;
  }
  #at = 0;
  readonly cap: number;
  constructor(cap: number) {
    this.cap = cap;
    this.#buffer = cap * ROW_BYTES <= ONE_BUFFER_BYTES ? new ArrayBuffer(cap * ROW_BYTES) : null;
  }
  f64(): Float64Array {
    if (this.#buffer === null) return new Float64Array(this.cap);
    const a = new Float64Array(this.#buffer, this.#at, this.cap);
    this.#at += this.cap * 8;
    return a;
  }
  i32(): Int32Array {
    if (this.#buffer === null) return new Int32Array(this.cap);
    const a = new Int32Array(this.#buffer, this.#at, this.cap);
    this.#at += this.cap * 4;
    return a;
  }
  u8(): Uint8Array {
    if (this.#buffer === null) return new Uint8Array(this.cap);
    const a = new Uint8Array(this.#buffer, this.#at, this.cap);
    this.#at += this.cap;
    return a;
  }
}

/** Bytes a row takes in each typed column, in Tape's order (see resizableColumns). */
const COLUMN_BYTES = [8, 8, 8, 8, 4, 4, 4, 4, 4, 1];

/**
 * The room resizable columns reserve, in times the room they are made with: a reservation costs
 * by its size (2^26 rows, ~3.5 GB for the ten columns: 40–110 ms on Bun 1.4.5; 2^21: a few ms),
 * and past it the columns move to a new reservation (one copy per 8 times the rows, not per 2).
 */
const RESERVE_STEPS = 8;

/**
 * On Bun, the typed columns as resizable buffers, one a column, reserving room for `rows` rows
 * and grown in place up to it (Tape.resize): growth copies nothing. A copy writes every page of
 * the new columns, and a page first written costs ~15 µs on a virtual machine whose free memory
 * goes back to its host (marked every call: 2^18 + 2^19 rows copied, ~26 MB, ~100 ms of its
 * in-program time); a page never written costs nothing, here as before. Null where the runtime
 * has no resizable buffers or will not reserve them (then Columns, copied as they grow). Not on
 * V8: there the planned room is made at once (Tape.roomAtOnce).
 */
function resizableColumns(cap: number, rows: number): ArrayBuffer[] | null {
  if (bufferResize === null) return null;
  try {
    const rabs: ArrayBuffer[] = ownArray([]);
    for (let i = 0; i < COLUMN_BYTES.length; i++) {
      const b = COLUMN_BYTES[i];
      // deno-lint-ignore no-explicit-any
      rabs[i] = new (ArrayBuffer as any)(cap * b, { maxByteLength: rows * b });
    }
    return rabs;
  } catch {
    return null;
  }
}

/** A value chunk of `n` rows holding the first `rows` of `from`. */
function copyChunk(from: Int32Array, n: number, rows: number): Int32Array {
  const to = new Int32Array(n);
  typedSet(to, int32Sub(from, 0, rows), 0);
  return to;
}

/** The columns of one generation of recorded calls, recorded by traces of type `T`. */
export class Tape<T = unknown> {
  rows = 0;
  cap: number;
  /**
   * The row at which newRow must make room first (`Tape.more`): the typed columns' end (`cap`)
   * or the value chunks' end, whichever comes first.
   */
  limit: number;
  /** Function id. */
  fn: Int32Array;
  /** Parent row on this tape, or -1 for a root. */
  parent: Int32Array;
  /**
   * The stack owner to give back to on suspend or exit (prevOf): 0 (as allocated) for the parent's
   * handle (-1 for a root), else that handle (maybe stale, or -1) plus 2 — only a call lent to a
   * nested trace, one a test run in another test's call makes, and a call that resumed write it.
   */
  prev: Float64Array;
  /**
   * A call's depth plus 1, written only for a call that suspended (its resumes take the stack at
   * that depth: recorder.ts, depthOwner); 0 elsewhere. Empty until first written (setDepth): Bun's
   * collector counts a typed array's room as memory, written or not.
   */
  depth: Int32Array = new Int32Array(0);
  start: Float64Array;
  /** End time, or -1 while open. */
  end: Float64Array;
  state: Uint8Array;
  /** Index of the trace in `traces`. */
  slot: Int32Array;
  /**
   * Whether any row's `slot` or `prev` was written (slotted, prevWritten): until then every row
   * holds 0 there, the hot paths read neither column (a page of a column never written, read,
   * costs a fault all the same: 2–5 ns a row on Bun), and growth does not copy it.
   */
  slotted = false;
  prevWritten = false;
  /** Whether any row's `awaited` (suspend) or `argsAt` (putRest) was written. */
  awaitedWritten = false;
  argsWritten = false;
  /**
   * Which stored values are indexes into `texts` (the repr of an object, taken when recorded):
   * bit i for argument i (below MARKED_ARGS), RET_TEXT for the return value; and BRIEF, PENDING.
   */
  marks: Int32Array;
  /**
   * The value columns, each a list of chunks of VALUE_ROWS codes (codeOf; never copied as the
   * tape grows; the first chunk grows with `cap` up to VALUE_ROWS): read and written through
   * valueAt, setValueAt, argAt. `a0`: the first argument of a call of a traced function of 1 to 3
   * parameters (no array per call); for more parameters, a rest, and an external call, the list
   * of them all (argList). A row never written holds undefined (code 0).
   */
  a0: ValueColumn;
  /**
   * Where the second and third arguments of a call of a traced function of 2 or 3 parameters are
   * in `rest`, plus 1; 0 for a call of another function.
   */
  argsAt: Int32Array;
  /**
   * The second and third arguments of calls of traced functions of 2 or 3 parameters, one after
   * another (putRest): chunks as a0's, of values rather than rows, so that calls of one parameter
   * (most) leave no room unused.
   */
  rest: ValueColumn;
  /** Rows whose marks hold PENDING: objects kept until summarised (details.ts, settleArgs). */
  pending = 0;
  /** Values in `rest`, and its room. */
  restLen = 0;
  restRoom: number;
  /** Return value, or the error's text when the call threw (a value column as a0). */
  result: ValueColumn;
  /**
   * The values of the value columns that have no code of their own (codeOf): objects (argument
   * lists, objects kept until summarised), strings not kept, other numbers, functions, bigints,
   * symbols. Undefined where a value was replaced (setValueAt).
   */
  others: unknown[] = copyValues([], 16, 0);
  /** Values in `others` (the rest of its room is undefined). */
  othersLen = 0;
  /** Places of `others` let go, the first `freeLen`, for the next values (see letGo). */
  free: Int32Array = new Int32Array(16);
  freeLen = 0;
  /**
   * The ms the call spent suspended (an `await`, a `yield`), summed over its suspensions; while it
   * is suspended, that sum less the time the suspension began (a negative number: the clock is
   * ahead of any call's length), so that resuming adds the clock's time.
   */
  awaited: Float64Array;
  readonly texts = new Texts();
  /**
   * Kept strings, each as the program passed it (or clipped: recorder.ts, keepString): a value
   * stored as a text (see `marks`) that is negative, `-1 - k`, is string `k` here, whose text the
   * writer makes (its repr, scanned for secrets).
   */
  readonly strings: string[] = ownArray([]);
  /** The traces recording on this tape, by slot. */
  readonly traces: T[] = ownArray([]);
  /** Slots given back by traces that stopped without writing a row. */
  readonly freeSlots: number[] = ownArray([]);
  /** Traces recording on this tape. */
  active = 0;
  /** The handle of row 0: handles of this tape are `base + row`. */
  readonly base: number;
  /**
   * The rows this tape may hold: MAX_ROWS, or less once a newer tape took the handles past it
   * (a tape left behind while traces still record on it: recorder.ts, newTape).
   */
  maxRows = MAX_ROWS;
  /** The room growth heads for (see {@linkcode Tape.plan}). */
  planned = 0;
  /** Whether growth makes the planned room at once (see grow): not on Bun. */
  // deno-lint-ignore no-explicit-any
  static roomAtOnce: boolean = (globalThis as any).Bun === undefined;
  /** The buffer the typed columns are views of (Columns), or null: each column on its own. */
  #columns: ArrayBuffer | null = null;
  /**
   * Whether the typed columns are resizable buffers grown in place (resizableColumns): on Bun with
   * `TPH_RESIZABLE=1` only (benchmarks). Off by default: on Bun 1.4 the ten reservations raise a
   * run's peak memory ~9 MB over columns copied as they grow, and a resizable buffer's pages come
   * back only at a collection, for a CPU saving within noise (docs/performance.md, jsc4).
   */
  // deno-lint-ignore no-explicit-any
  static resizable: boolean = (globalThis as any).Bun !== undefined &&
    process.env.TPH_RESIZABLE === "1";
  /** The typed columns' resizable buffers (resizableColumns), or null. */
  #resizable: ArrayBuffer[] | null = null;
  /** Whether resizable buffers were tried (made once a tape, at its first growth). */
  #resizableTried = false;
  /** The rows the resizable buffers have room for (see RESERVE_STEPS). */
  #reserved = 0;
  constructor(
    base: number,
    cap = FIRST_ROWS,
  ) {
    this.base = base;
    this.cap = cap;
    // The order Columns wants: the Float64 columns first. Resizable columns (Bun) are made when
    // the tape first grows: a short program's tape reserves nothing (resize).
    const c = new Columns(cap);
    this.prev = c.f64();
    this.start = c.f64();
    this.end = c.f64();
    this.awaited = c.f64();
    this.fn = c.i32();
    this.parent = c.i32();
    this.slot = c.i32();
    this.marks = c.i32();
    this.argsAt = c.i32();
    this.state = c.u8();
    this.#columns = c.buffer;
    // The first value chunk, as big as the room (a short program records a few hundred calls).
    const first = Math.min(cap, VALUE_ROWS);
    this.a0 = ownArray([new Int32Array(first)]);
    this.rest = ownArray([new Int32Array(first)]);
    this.restRoom = first;
    this.result = ownArray([new Int32Array(first)]);
    this.limit = first;
  }

  /**
   * Make room for row `row` (`limit`, reached by newRow): the typed columns grow (see grow),
   * the first value chunk with them, and a value chunk is added when the row starts one.
   */
  more(row: number): void {
    if (row >= this.cap) this.grow();
    const c = row >>> VALUE_BITS;
    if (c >= this.a0.length) {
      // Made when the first row of it is written: room never reached costs nothing.
      this.a0[c] = new Int32Array(VALUE_ROWS);
      this.result[c] = new Int32Array(VALUE_ROWS);
    }
    this.limit = Math.min(this.cap, this.a0.length << VALUE_BITS);
  }

  /**
   * Keep the second (and with `n` 3, the third) argument of row `row`'s call, of a traced function
   * of `n` parameters (2 or 3), in `rest`.
   */
  putRest(row: number, n: number, a1: unknown, a2: unknown): void {
    const at = this.restLen;
    if (at + 2 > this.restRoom) this.moreRest();
    this.argsAt[row] = at + 1;
    this.argsWritten = true;
    this.rest[at >>> VALUE_BITS][at & VALUE_MASK] = codeOf(this, a1);
    if (n === 3) {
      const next = at + 1;
      this.rest[next >>> VALUE_BITS][next & VALUE_MASK] = codeOf(this, a2);
    }
    this.restLen = at + n - 1;
  }

  /** Room in `rest` for two more values: its first chunk grown (a copy), or a chunk added. */
  moreRest(): void {
    const rest = this.rest, first = rest[0].length;
    if (rest.length === 1 && first < VALUE_ROWS) {
      rest[0] = copyChunk(rest[0], Math.min(Math.max(first * 4, 64), VALUE_ROWS), this.restLen);
    } else rest[rest.length] = new Int32Array(VALUE_ROWS);
    this.restRoom = rest.length === 1 ? rest[0].length : rest.length << VALUE_BITS;
  }

  /**
   * Make room for `rows` rows as the present room fills (see grow). A trace that may record
   * 100,000 calls starts with FIRST_ROWS of room: making the whole room up front cost 6–19 ms of
   * every run (the value chunks' memory is written when they are made), while most short
   * programs record a few hundred calls.
   *
   * @param rows The room the trace may need.
   */
  plan(rows: number): void {
    if (rows > this.planned) this.planned = rows;
  }

  /**
   * Make room for more rows: the planned room at once where typed arrays are made without writing
   * their memory (V8: the system's zeroed pages, only those written are the process's), else four
   * times as many, at least BUN_STEP rows, up to it, while below BUN_STEP; then twice (and twice
   * where the system will not reserve that much: a strict overcommit policy). On V8 the copies
   * were all of it (10 columns grown to 2^20 rows in steps: ~10 ms, against 0.05 ms for making
   * them at once). Bun 1.4.5 makes them lazily too (11 columns of 2^20 rows: ~1 ms, RSS
   * unchanged), but its collector counts them as memory to reclaim: the planned room at once
   * raised marked's peak RSS by 30–50 MB, and four times at a step past BUN_STEP (2^18 -> 2^20
   * rows at 262k calls, against 2^18 -> 2^19 -> 2^20) by 12–14 MB (bench/rss49.ts). Older Buns
   * wrote the memory when made (2^20 rows: ~45 ms).
   */
  grow(): void {
    if (this.planned > this.cap * 2) {
      try {
        const step = this.cap < BUN_STEP ? Math.max(this.cap * 4, BUN_STEP) : this.cap * 2;
        this.resize(Tape.roomAtOnce ? this.planned : Math.min(this.planned, step));
        return;
      } catch {
        this.planned = 0;
      }
    }
    this.resize(this.cap * 2);
  }

  /** Make the capacity `rows` (up to MAX_ROWS; never less than it is). */
  resize(rows: number): void {
    const cap = Math.min(Math.max(rows, this.cap), MAX_ROWS);
    if (cap === this.cap) return;
    // The first value chunk grows with the room: made anew, its rows copied (appended to one at
    // a time, an array grows by reallocation, twice the time); later chunks are made whole when
    // a row first reaches them (Tape.more).
    const first = Math.min(cap, VALUE_ROWS);
    if (this.a0[0].length < first) {
      const n = this.rows;
      this.a0[0] = copyChunk(this.a0[0], first, n);
      this.result[0] = copyChunk(this.result[0], first, n);
    }
    if (this.#resizable !== null ? this.#grownInPlace(cap) : this.#madeResizable(cap)) return;
    // The captured constructors and `set`: the program may have replaced the globals, a typed
    // array's `constructor` or TypedArray.prototype.set by now.
    // A column no row wrote yet (the flags below) is made anew, not copied: the copy wrote every
    // page of the new column for zeros (prev, awaited, slot and argsAt stay 0 on most runs).
    // Made together (Columns), the Float64 columns first.
    const c = new Columns(cap);
    const more = <A extends Int32Array | Float64Array | Uint8Array>(
      a: A,
      b: A,
      written = true,
    ): A => {
      if (written) typedSet(b, a, 0);
      return b;
    };
    this.prev = more(this.prev, c.f64(), this.prevWritten);
    this.start = more(this.start, c.f64());
    this.end = more(this.end, c.f64());
    this.awaited = more(this.awaited, c.f64(), this.awaitedWritten);
    this.fn = more(this.fn, c.i32());
    this.parent = more(this.parent, c.i32());
    this.slot = more(this.slot, c.i32(), this.slotted);
    this.marks = more(this.marks, c.i32());
    this.argsAt = more(this.argsAt, c.i32(), this.argsWritten);
    this.state = more(this.state, c.u8());
    if (this.depth.length !== 0) this.depth = more(this.depth, new Int32Array(cap));
    this.cap = cap;
    // The old columns' memory freed now (bufferRelease), not at the collection that finds them
    // unreachable: on Bun, marked every call kept the 2^18 rows' ~9 MB written until its run was
    // written. No view of them is held past this (the hot paths read `tp.<column>` each time).
    const old = this.#columns;
    this.#columns = c.buffer;
    if (old !== null && bufferRelease !== null) bufferRelease(old);
    // The first chunk holds min(cap, VALUE_ROWS) rows, later ones VALUE_ROWS.
    this.limit = Math.min(cap, this.a0.length << VALUE_BITS);
  }

  /**
   * The typed columns grown to `cap` rows in place (resizableColumns): new views of the same
   * buffers, nothing copied. False, the buffers left as they were, when one cannot grow (then
   * the columns are copied as elsewhere, and stay so).
   */
  #grownInPlace(cap: number): boolean {
    const rabs = this.#resizable!;
    if (cap > this.#reserved) return this.#moved(cap);
    try {
      for (let i = 0; i < rabs.length; i++) bufferResize!(rabs[i], cap * COLUMN_BYTES[i]);
    } catch {
      this.#resizable = null;
      return false;
    }
    this.#viewsOf(rabs, cap);
    return true;
  }

  /**
   * The typed columns moved into resizable buffers of `cap` rows (resizableColumns), on Bun at the
   * tape's first growth: its rows so far copied (a few thousand), the old buffer freed. False where
   * the columns stay as they are (elsewhere, or no buffer could be reserved: then for good).
   */
  #madeResizable(cap: number): boolean {
    if (!Tape.resizable || this.#resizableTried) return false;
    this.#resizableTried = true;
    return this.#moved(cap);
  }

  /** The ten columns, in the order #moved copies them. */
  #columnList(): (Float64Array | Int32Array | Uint8Array)[] {
    return [
      this.prev,
      this.start,
      this.end,
      this.awaited,
      this.fn,
      this.parent,
      this.slot,
      this.marks,
      this.argsAt,
      this.state,
    ];
  }

  /**
   * The typed columns copied into new resizable buffers of `cap` rows reserving RESERVE_STEPS times
   * that (at most MAX_ROWS), the old buffers freed; false, the columns as they were and no longer
   * resizable, where none could be made.
   */
  #moved(cap: number): boolean {
    const reserve = Math.min(cap * RESERVE_STEPS, MAX_ROWS);
    const rabs = resizableColumns(cap, reserve);
    if (rabs === null) {
      this.#resizable = null;
      return false;
    }
    const old = this.#columnList();
    // Columns no row wrote are not copied (all 0), as resize does.
    const written = [
      this.prevWritten,
      true,
      true,
      this.awaitedWritten,
      true,
      true,
      this.slotted,
      true,
      this.argsWritten,
      true,
    ];
    this.#viewsOf(rabs, cap);
    const now = this.#columnList();
    for (let i = 0; i < old.length; i++) if (written[i]) typedSet(now[i], old[i], 0);
    const before = this.#resizable, buffer = this.#columns;
    this.#resizable = rabs;
    this.#reserved = reserve;
    this.#columns = null;
    if (bufferRelease !== null) {
      if (buffer !== null) bufferRelease(buffer);
      if (before !== null) { for (let i = 0; i < before.length; i++) bufferRelease(before[i]); }
    }
    return true;
  }

  /** The typed columns as views of `cap` rows of the resizable buffers `rabs`. */
  #viewsOf(rabs: ArrayBuffer[], cap: number): void {
    this.prev = new Float64Array(rabs[0], 0, cap);
    this.start = new Float64Array(rabs[1], 0, cap);
    this.end = new Float64Array(rabs[2], 0, cap);
    this.awaited = new Float64Array(rabs[3], 0, cap);
    this.fn = new Int32Array(rabs[4], 0, cap);
    this.parent = new Int32Array(rabs[5], 0, cap);
    this.slot = new Int32Array(rabs[6], 0, cap);
    this.marks = new Int32Array(rabs[7], 0, cap);
    this.argsAt = new Int32Array(rabs[8], 0, cap);
    this.state = new Uint8Array(rabs[9], 0, cap);
    if (this.depth.length !== 0) {
      const d = new Int32Array(cap);
      typedSet(d, this.depth, 0);
      this.depth = d;
    }
    this.cap = cap;
    this.limit = Math.min(cap, this.a0.length << VALUE_BITS);
  }
}

// Kept from FTL on Bun when the recording is bounded (ftl.ts).
ftlCandidates([
  valueAt,
  setValueAt,
  argAt,
  setArgAt,
  argList,
  prevOf,
  suspendedDepth,
  setDepth,
  codeOf,
  otherCode,
  copyValues,
  letGo,
  valueOfCode,
  copyChunk,
  Texts.prototype.add,
  Tape.prototype.more,
  Tape.prototype.putRest,
  Tape.prototype.moreRest,
  Tape.prototype.grow,
]);
