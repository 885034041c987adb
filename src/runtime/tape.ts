// Where calls are recorded: columns of typed arrays, one row per call, shared by the traces that
// record at the same time. One object per call made V8 copy every record at each scavenge (all
// of them survive): columns cost the garbage collector nothing and take a third of the memory.
//
// A call is known to instrumented code by its handle: `(generation << 24) | row`. A new tape
// (next generation) starts when a trace starts and no trace records on the current one; a call
// that ends after its tape was retired carries an old generation and is ignored.

import type { Trace } from "./trace_state.ts";

/** Bits of a handle that hold the row. */
export const ROW_BITS = 24;
/** Mask of the row in a handle. */
export const ROW_MASK = (1 << ROW_BITS) - 1;
/** Rows one tape holds at most (16,777,216 calls). */
export const MAX_ROWS = 1 << ROW_BITS;
/** Call states; HIDDEN rows only carry the stack of a call a limit left out. */
export const OPEN = 0, RETURNED = 1, THREW = 2, HIDDEN = 3;

/** The columns of one generation of recorded calls. */
export class Tape {
  rows = 0;
  cap: number;
  /** Function id. */
  fn: Int32Array;
  /** Parent handle, or -1 for a root. */
  parent: Int32Array;
  /** Handle of the stack owner to give back to on suspend or exit, or -1. */
  prev: Int32Array;
  depth: Int32Array;
  start: Float64Array;
  /** End time, or -1 while open. */
  end: Float64Array;
  state: Uint8Array;
  /** Index of the trace in `traces`. */
  slot: Uint16Array;
  /** Arguments: one value, an array of values, or undefined (see to_json). */
  args: unknown[] = [];
  /** Return value, or the error's text when the call threw. */
  ret: unknown[] = [];
  /** The traces recording on this tape, by slot. */
  readonly traces: Trace[] = [];

  constructor(readonly gen: number, cap = 4096) {
    this.cap = cap;
    this.fn = new Int32Array(cap);
    this.parent = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.depth = new Int32Array(cap);
    this.start = new Float64Array(cap);
    this.end = new Float64Array(cap);
    this.state = new Uint8Array(cap);
    this.slot = new Uint16Array(cap);
  }

  /** Double the capacity (up to MAX_ROWS). */
  grow(): void {
    const cap = Math.min(this.cap * 2, MAX_ROWS);
    const more = <A extends Int32Array | Float64Array | Uint8Array | Uint16Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(cap);
      b.set(a);
      return b;
    };
    this.fn = more(this.fn);
    this.parent = more(this.parent);
    this.prev = more(this.prev);
    this.depth = more(this.depth);
    this.start = more(this.start);
    this.end = more(this.end);
    this.state = more(this.state);
    this.slot = more(this.slot);
    this.cap = cap;
  }
}
