// The calls of a stored run as the exports see them: read in the order they are stored (depth
// first), each with its end time, the track it is drawn on, and, per track, when the calls on it
// open and close in time order. Streaming: what is kept is the open calls, the tracks' open
// calls, and (with a filter) one byte per call.
//
// Tracks. Trace viewers draw the calls of one thread as nested slices: two slices on one track
// must be disjoint or one inside the other. A program's calls are not always so: calls started
// together (Promise.all) overlap as siblings, and an async call may run on after its caller
// returned. A call is drawn on its caller's track when it fits there (inside its caller, after
// what the caller did before on that track); otherwise it starts an async track of its own, and
// its calls follow it there. Async tracks are reused once everything on them has ended, so there
// are as many as calls ran at once, not one per async call.

import { type FunctionEntry, STATE_MASK } from "../../run_file/format.ts";
import { FN_ASYNC, FN_EXTERNAL, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import {
  type CallRecord,
  type FilterMarks,
  markFilter,
  MATCHED,
  ON_PATH,
} from "../../run_file/call_records.ts";
import type { RunFile } from "../../run_file/decode.ts";

/** A function as the exports name it. */
export interface Frame {
  name: string;
  module: string;
  file: string;
  line: number;
  kind: string;
  async: boolean;
  external: boolean;
}

/** One call, as handed to an export; the object is reused from call to call. */
export class ExportCall {
  /** 1, 2, … in the run's stored order (the same in every format). */
  id = 0;
  /** The caller's id; 0 for a call at the top. */
  parent = 0;
  /** 0 for calls at the top. */
  depth = 0;
  /** Index into the walk's frames, and the frame. */
  frame = 0;
  fn: Frame = { name: "", module: "", file: "", line: 0, kind: "", async: false, external: false };
  /** Argument names (positions for external calls) and their texts, as recorded. */
  argNames: readonly string[] = [];
  readonly argValues: string[] = [];
  /** The return value's text; null when the call threw or did not finish. */
  returned: string | null = null;
  /** The thrown error's text, when it threw. */
  threw: string | null = null;
  unfinished = false;
  /** µs from the trace's start. */
  start = 0;
  /** µs from the trace's start; for a call that never finished, the run's last known time. */
  end = 0;
  /** Calls limits left out directly under this call. */
  dropped = 0;
  /** µs of its time it spent suspended (awaiting, between yields). */
  awaited = 0;
  /** Calls below this one that the export leaves out (`--max-depth`). */
  hiddenBelow = 0;
  /** The track it is drawn on (0: the main one). */
  track = 0;
  /** It is the first call of an async context: its caller is on another track (or ended). */
  startsContext = false;
  /** The track its caller is drawn on (its own for a call at the top). */
  callerTrack = 0;
}

/** What a walk leaves out. */
export interface WalkOptions {
  /** Levels of calls to keep (1: the top calls only). */
  maxDepth?: number;
  /** Keep calls whose name contains this, with the calls that lead to them. */
  filter?: string;
  /** Told how many calls were read as the walk goes (a progress line). */
  step?: (done: number) => void;
}

/** What an export is told, in this order per track. */
export interface WalkVisitor {
  /** A new track (its number, 1, 2, … for async tracks after the main track 0). */
  track?(track: number): void;
  /** A call, when it starts; its track's earlier calls that ended by then are closed first. */
  open(call: ExportCall): void;
  /** A call on `track` ends at `end` (µs); per track, in time order. */
  close?(track: number, id: number, frame: number, end: number): void;
}

/** What a walk found. */
export interface WalkResult {
  /** Calls handed to `open`. */
  calls: number;
  /** Tracks used, the main one included. */
  tracks: number;
  /** The last time in the run, µs from its start. */
  end: number;
  /** The functions the calls name (ExportCall.frame indexes this). */
  frames: Frame[];
}

function frameOf(f: FunctionEntry): Frame {
  return {
    name: f[0],
    module: f[1],
    file: f[2],
    line: f[3],
    kind: f[4],
    async: (f[6] & FN_ASYNC) !== 0,
    external: (f[6] & FN_EXTERNAL) !== 0,
  };
}

/** Per track: its open calls, innermost last. */
class Track {
  readonly ids: number[] = [];
  readonly frames: number[] = [];
  readonly ends: number[] = [];
  readonly depths: number[] = [];
  /** The latest end of anything placed on it. */
  lastEnd = 0;
  readonly number: number;
  constructor(number: number) {
    this.number = number;
  }
}

/** Free async tracks, the one whose latest end is earliest on top (a binary heap). */
class FreeTracks {
  readonly #heap: Track[] = [];
  get size(): number {
    return this.#heap.length;
  }
  get top(): Track {
    return this.#heap[0];
  }
  push(t: Track): void {
    const heap = this.#heap;
    heap.push(t);
    for (let i = heap.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (heap[up].lastEnd <= heap[i].lastEnd) break;
      [heap[up], heap[i]] = [heap[i], heap[up]];
      i = up;
    }
  }
  pop(): Track {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].lastEnd < heap[m].lastEnd) m = l;
        if (r < heap.length && heap[r].lastEnd < heap[m].lastEnd) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  }
}

/** The open calls of the walk, by depth: ids, tracks, starts and ends (for placing calls). */
class OpenCalls {
  readonly ids: number[] = [];
  readonly tracks: number[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Close the calls from `depth` on. */
  cut(depth: number): void {
    this.ids.length =
      this.tracks.length =
      this.starts.length =
      this.ends.length =
        depth;
  }
  push(call: ExportCall): void {
    this.ids.push(call.id);
    this.tracks.push(call.track);
    this.starts.push(call.start);
    this.ends.push(call.end);
  }
}

/** Places calls on tracks: the caller's when the call fits there, else an async one. */
class Placer {
  readonly tracks: Track[] = [new Track(0)];
  readonly #free = new FreeTracks();
  readonly #close: WalkVisitor["close"];

  readonly visitor: WalkVisitor;
  readonly open: OpenCalls;
  constructor(visitor: WalkVisitor, open: OpenCalls) {
    this.visitor = visitor;
    this.open = open;
    this.#close = visitor.close?.bind(visitor);
  }

  /** Close what ended on `t` by `at`, but never a caller of the call being placed. */
  closeTo(t: Track, at: number): void {
    const open = this.open.ids;
    for (let k = t.ids.length - 1; k >= 0; k--) {
      if (t.ends[k] > at || (t.depths[k] < open.length && open[t.depths[k]] === t.ids[k])) return;
      // Popped whether or not the visitor listens (`close?.(…)` would skip its arguments).
      const id = t.ids.pop()!, frame = t.frames.pop()!, end = t.ends.pop()!;
      t.depths.pop();
      if (this.#close !== undefined) this.#close(t.number, id, frame, end);
    }
  }

  /** Set the call's track (and whether it starts an async context), and put it there. */
  place(call: ExportCall): void {
    const depth = call.depth;
    const home = this.tracks[depth === 0 ? 0 : this.open.tracks[depth - 1]];
    call.callerTrack = home.number;
    this.closeTo(home, call.start);
    const n = home.ids.length;
    const fits = depth === 0
      ? n === 0
      : n > 0 && home.ids[n - 1] === call.parent && call.end <= home.ends[n - 1];
    const t = fits ? home : this.#asyncTrack(call.start);
    call.startsContext = !fits;
    t.ids.push(call.id);
    t.frames.push(call.frame);
    t.ends.push(call.end);
    t.depths.push(call.depth);
    if (call.end > t.lastEnd) t.lastEnd = call.end;
    call.track = t.number;
    // An async track's latest end is its first call's: the calls nested in it end before.
    if (t.number !== 0 && !fits) this.#free.push(t);
  }

  /** An async track with nothing open at `start`, or a new one. */
  #asyncTrack(start: number): Track {
    const free = this.#free;
    if (free.size > 0 && free.top.lastEnd <= start) {
      const t = free.pop();
      this.closeTo(t, start);
      if (t.ids.length === 0) return t;
      free.push(t);
    }
    const t = new Track(this.tracks.length);
    this.tracks.push(t);
    this.visitor.track?.(t.number);
    return t;
  }

  /** Close everything still open. */
  finish(): void {
    this.open.cut(0);
    for (const t of this.tracks) this.closeTo(t, Infinity);
  }
}

/** A call's end (µs): for one that never finished, the run's last known time. */
function endOf(r: CallRecord, runEnd: number): number {
  return (r.flags & STATE_MASK) === UNFINISHED ? Math.max(runEnd, r.start) : r.start + r.elapsed;
}

/** The first pass: the run's last time (where unfinished calls end), and the filter's marks. */
function firstPass(
  file: RunFile,
  options: WalkOptions,
): { end: number; marks: FilterMarks | null } {
  let end = 0;
  const each = (r: CallRecord) => {
    const last = endOf(r, r.start);
    if (last > end) end = last;
  };
  if (options.filter !== undefined) {
    const marks = markFilter(file, options.filter, options.maxDepth ?? Infinity, each);
    return { end, marks };
  }
  file.scan((r) => (each(r), true));
  return { end, marks: null };
}

/** Fill `call` from the record of a call at `depth`, inside its caller's times. */
function fillCall(call: ExportCall, r: CallRecord, depth: number, open: OpenCalls, end: number) {
  call.depth = depth;
  call.parent = depth === 0 ? 0 : open.ids[depth - 1];
  call.frame = r.fn;
  call.argNames = r.argNames;
  const values = call.argValues;
  values.length = r.args;
  for (let k = 0; k < r.args; k++) values[k] = r.text(k);
  const state = r.flags & STATE_MASK;
  call.unfinished = state === UNFINISHED;
  call.returned = state === UNFINISHED || state === THREW ? null : r.text(r.args);
  call.threw = state === THREW ? r.text(r.args) : null;
  call.start = r.start;
  call.end = endOf(r, end);
  call.awaited = r.awaited;
  // Times are whole µs, a call's start and length rounded apart: a call can seem to start or
  // end 1 µs outside its caller. Drawn inside it (else it would seem to run on after it).
  if (depth > 0) {
    const callerStart = open.starts[depth - 1], callerEnd = open.ends[depth - 1];
    if (call.start < callerStart && callerStart - call.start <= 1) call.start = callerStart;
    if (call.end > callerEnd && call.end - callerEnd <= 1 && call.start <= callerEnd) {
      call.end = callerEnd;
    }
    if (call.end < call.start) call.end = call.start;
  }
  call.dropped = r.dropped;
}

/**
 * Walk a run's calls for an export.
 *
 * @param file The run.
 * @param options Depth and name filters.
 * @param visitor What the export does with tracks and calls.
 */
export function walkCalls(file: RunFile, options: WalkOptions, visitor: WalkVisitor): WalkResult {
  const frames = file.functions.map(frameOf);
  const maxDepth = options.maxDepth ?? Infinity;
  const { end, marks } = firstPass(file, options);
  const call = new ExportCall();
  const open = new OpenCalls();
  const placer = new Placer(visitor, open);
  let calls = 0, ordinal = 0;
  // With a filter: the depth of the matched call whose subtree is being walked (-1: none).
  let matched = -1;
  const step = options.step;
  file.scan((r, depth) => {
    if (step !== undefined) step(ordinal + 1);
    const here = ordinal++;
    if (matched >= depth) matched = -1;
    const mark = matched >= 0 || marks === null ? MATCHED : marks.of[here];
    if (mark === 0) {
      ordinal += r.descendants;
      return false;
    }
    if (matched < 0 && (mark & MATCHED) !== 0 && marks !== null) matched = depth;
    open.cut(depth);
    call.id = here + 1;
    fillCall(call, r, depth, open, end);
    call.fn = frames[r.fn];
    const cut = depth + 1 >= maxDepth && r.descendants > 0;
    // Below a call on the way to a match, only what the filter keeps.
    call.hiddenBelow = !cut
      ? 0
      : (mark & ON_PATH) !== 0 && matched < 0
      ? marks!.cut.get(here)!.calls
      : r.descendants;
    placer.place(call);
    calls++;
    visitor.open(call);
    open.push(call);
    if (cut) {
      ordinal += r.descendants;
      return false;
    }
    return true;
  });
  placer.finish();
  return { calls, tracks: placer.tracks.length, end, frames };
}

/**
 * Walk options for each of several runs walked in turn: `step` counts the calls of them all.
 *
 * @param calls Each run's call count.
 */
export function inTurn(calls: readonly number[], options: WalkOptions): WalkOptions[] {
  const step = options.step;
  let before = 0;
  return calls.map((n) => {
    const base = before;
    before += n;
    return step === undefined ? options : { ...options, step: (done) => step(base + done) };
  });
}
