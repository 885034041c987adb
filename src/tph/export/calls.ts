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

import type { CallNodeJSON } from "../../types.ts";
import { type FunctionEntry, STATE_MASK } from "../../run_file/format.ts";
import {
  FN_ASYNC,
  FN_EXTERNAL,
  stateOfNode,
  THREW,
  UNFINISHED,
} from "../../run_file/call_state.ts";
import type { RawCall, RunFile } from "../store/run_reader.ts";

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

/** A stored call as the walk reads it, from tph's run format or from a JSON run. */
interface Source {
  /** Calls in all. */
  readonly records: number;
  /** Visit in stored order with depth; false skips the subtree. */
  scan(visit: (c: Stored, depth: number) => boolean): void;
  readonly frames: Frame[];
}

interface Stored {
  frame: number;
  start: number;
  /** -1: unfinished. */
  elapsed: number;
  state: number;
  descendants: number;
  dropped: number;
  args: number;
  argNames: readonly string[];
  /** Text k: the arguments, then the return value or the error. */
  text(k: number): string;
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

const POSITIONS: string[] = [];
function positions(n: number): readonly string[] {
  while (POSITIONS.length < n) POSITIONS.push(String(POSITIONS.length));
  return POSITIONS;
}

/** A run in tph's format, through its scan. */
function binarySource(file: RunFile): Source {
  const functions = file.functions;
  const frames = functions.map(frameOf);
  const stored: Stored & { raw: RawCall | null } = {
    raw: null,
    frame: 0,
    start: 0,
    elapsed: 0,
    state: 0,
    descendants: 0,
    dropped: 0,
    args: 0,
    argNames: [],
    text(k) {
      return this.raw!.text(k);
    },
  };
  return {
    records: file.records,
    frames,
    scan(visit) {
      file.scan!((r, depth) => {
        stored.raw = r;
        stored.frame = r.fn;
        stored.start = r.start;
        stored.elapsed = r.elapsed;
        stored.state = r.flags & STATE_MASK;
        stored.descendants = r.descendants;
        stored.dropped = r.dropped;
        stored.args = r.args;
        stored.argNames = frames[r.fn].external ? positions(r.args) : functions[r.fn][5];
        return visit(stored, depth);
      });
    },
  };
}

/** A JSON run: its calls are in memory already (JSON cannot be read a part at a time). */
function jsonSource(roots: CallNodeJSON[]): Source {
  const frames: Frame[] = [];
  const index = new Map<string, number>();
  // Calls below each, and in all: iterative (a run may nest as deep as the program recursed).
  const sizes = new Map<CallNodeJSON, number>();
  const order: CallNodeJSON[] = [];
  const parents: (CallNodeJSON | null)[] = [];
  for (
    const todo: [CallNodeJSON, CallNodeJSON | null][] = roots.map((r) => [r, null]);
    todo.length > 0;
  ) {
    const [n, parent] = todo.pop()!;
    order.push(n);
    parents.push(parent);
    sizes.set(n, 0);
    for (const c of n.children) todo.push([c, n]);
  }
  // Children come after their parent in `order`: a backward pass adds the sizes up.
  for (let k = order.length - 1; k >= 0; k--) {
    const p = parents[k];
    if (p !== null) sizes.set(p, sizes.get(p)! + sizes.get(order[k])! + 1);
  }
  const records = order.length;
  return {
    records,
    frames,
    scan(visit) {
      const each = (n: CallNodeJSON, depth: number): boolean => {
        const key = JSON.stringify([n.name, n.module, n.file, n.line, n.kind, n.async, n.external]);
        let frame = index.get(key);
        if (frame === undefined) {
          frame = frames.length;
          index.set(key, frame);
          frames.push({
            name: n.name,
            module: n.module,
            file: n.file,
            line: n.line,
            kind: n.kind ?? "function",
            async: n.async === true,
            external: n.external === true,
          });
        }
        const names = Object.keys(n.args);
        const state = stateOfNode(n);
        const values = names.map((k) => n.args[k]);
        values.push(state === THREW ? n.exception! : n.return_value ?? "");
        const stored: Stored = {
          frame,
          start: Math.round(n.start_ms * 1000),
          elapsed: state === UNFINISHED ? -1 : Math.round((n.elapsed_ms ?? 0) * 1000),
          state,
          descendants: sizes.get(n) ?? 0,
          dropped: n.dropped ?? 0,
          args: names.length,
          argNames: names,
          text: (k) => values[k],
        };
        return visit(stored, depth);
      };
      // Pre-order, children in order, without recursion.
      const todo: [CallNodeJSON, number][] = [];
      for (let k = roots.length - 1; k >= 0; k--) todo.push([roots[k], 0]);
      while (todo.length > 0) {
        const [n, depth] = todo.pop()!;
        if (!each(n, depth)) continue;
        for (let k = n.children.length - 1; k >= 0; k--) todo.push([n.children[k], depth + 1]);
      }
    },
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
  constructor(readonly number: number) {}
}

/**
 * Walk a run's calls for an export.
 *
 * @param file The run.
 * @param options Depth and name filters.
 * @param visitor What the export does with tracks and calls.
 */
export function walkCalls(file: RunFile, options: WalkOptions, visitor: WalkVisitor): WalkResult {
  const source = file.scan !== null ? binarySource(file) : jsonSource(file.tree().roots);
  const maxDepth = options.maxDepth ?? Infinity;
  // First pass: the run's last time (where unfinished calls end), and the filter's marks.
  let end = 0;
  const keep = options.filter === undefined ? null : new Uint8Array(source.records);
  {
    const wanted = options.filter === undefined
      ? null
      : source.frames.map((f) => f.name.includes(options.filter!));
    const path: number[] = [];
    let ordinal = 0;
    source.scan((c, depth) => {
      const here = ordinal++;
      path.length = depth;
      path.push(here);
      const last = c.elapsed < 0 ? c.start : c.start + c.elapsed;
      if (last > end) end = last;
      if (keep !== null && wanted !== null && wanted[c.frame]) {
        for (let d = depth; d >= 0 && keep[path[d]] === 0; d--) keep[path[d]] = 1;
        keep.fill(1, here, here + 1 + c.descendants);
      }
      return true;
    });
  }
  const call = new ExportCall();
  const tracks: Track[] = [new Track(0)];
  // Free async tracks are found by the latest end on them.
  const heap: Track[] = [];
  // The open calls of the walk, by depth: ids, tracks, ends (for the placement test).
  const openIds: number[] = [];
  const openTracks: number[] = [];
  const openEnds: number[] = [];
  const openStarts: number[] = [];
  const isOpenAncestor = (t: Track, k: number) =>
    t.depths[k] < openIds.length && openIds[t.depths[k]] === t.ids[k];
  const close = visitor.close?.bind(visitor);
  /** Close what ended on `t` by `at`, but never a caller of the call being placed. */
  const closeTo = (t: Track, at: number) => {
    for (let k = t.ids.length - 1; k >= 0; k--) {
      if (t.ends[k] > at || isOpenAncestor(t, k)) return;
      // Popped whether or not the visitor listens (`close?.(…)` would skip its arguments).
      const id = t.ids.pop()!, frame = t.frames.pop()!, end = t.ends.pop()!;
      t.depths.pop();
      if (close !== undefined) close(t.number, id, frame, end);
    }
  };
  const place = (t: Track) => {
    t.ids.push(call.id);
    t.frames.push(call.frame);
    t.ends.push(call.end);
    t.depths.push(call.depth);
    if (call.end > t.lastEnd) t.lastEnd = call.end;
    call.track = t.number;
  };
  const heapPush = (t: Track) => {
    heap.push(t);
    for (let i = heap.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (heap[up].lastEnd <= heap[i].lastEnd) break;
      [heap[up], heap[i]] = [heap[i], heap[up]];
      i = up;
    }
  };
  const heapPop = (): Track => {
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
  };
  /** An async track with nothing open at the call's start, or a new one. */
  const asyncTrack = (): Track => {
    if (heap.length > 0 && heap[0].lastEnd <= call.start) {
      const t = heapPop();
      closeTo(t, call.start);
      if (t.ids.length === 0) return t;
      heapPush(t);
    }
    const t = new Track(tracks.length);
    tracks.push(t);
    visitor.track?.(t.number);
    return t;
  };
  let calls = 0;
  let ordinal = 0;
  source.scan((c, depth) => {
    const here = ordinal++;
    if (keep !== null && keep[here] === 0) {
      ordinal += c.descendants;
      return false;
    }
    openIds.length =
      openTracks.length =
      openEnds.length =
      openStarts.length =
        depth;
    call.id = here + 1;
    call.depth = depth;
    call.parent = depth === 0 ? 0 : openIds[depth - 1];
    call.frame = c.frame;
    call.fn = source.frames[c.frame];
    call.argNames = c.argNames;
    const values = call.argValues;
    values.length = c.args;
    for (let k = 0; k < c.args; k++) values[k] = c.text(k);
    call.unfinished = c.state === UNFINISHED;
    call.returned = c.state === UNFINISHED || c.state === THREW ? null : c.text(c.args);
    call.threw = c.state === THREW ? c.text(c.args) : null;
    call.start = c.start;
    call.end = c.elapsed < 0 ? Math.max(end, c.start) : c.start + c.elapsed;
    // Times are whole µs, a call's start and length rounded apart: a call can seem to start or
    // end 1 µs outside its caller. Drawn inside it (else it would seem to run on after it).
    if (depth > 0) {
      const callerStart = openStarts[depth - 1], callerEnd = openEnds[depth - 1];
      if (call.start < callerStart && callerStart - call.start <= 1) call.start = callerStart;
      if (call.end > callerEnd && call.end - callerEnd <= 1 && call.start <= callerEnd) {
        call.end = callerEnd;
      }
      if (call.end < call.start) call.end = call.start;
    }
    call.dropped = c.dropped;
    const cut = depth + 1 >= maxDepth && c.descendants > 0;
    call.hiddenBelow = cut ? countKept(keep, here, c.descendants) : 0;
    // On the caller's track when it fits there: inside the caller, after what came before.
    const home = tracks[depth === 0 ? 0 : openTracks[depth - 1]];
    call.callerTrack = home.number;
    closeTo(home, call.start);
    const n = home.ids.length;
    const fits = depth === 0
      ? n === 0
      : n > 0 && home.ids[n - 1] === call.parent && call.end <= home.ends[n - 1];
    let t = home;
    if (!fits) {
      t = asyncTrack();
      call.startsContext = true;
    } else call.startsContext = false;
    place(t);
    // An async track's latest end is its first call's: the calls nested in it end before.
    if (t.number !== 0 && !fits) heapPush(t);
    calls++;
    visitor.open(call);
    openIds.push(call.id);
    openTracks.push(t.number);
    openEnds.push(call.end);
    openStarts.push(call.start);
    if (cut) {
      ordinal += c.descendants;
      return false;
    }
    return true;
  });
  openIds.length = 0;
  for (const t of tracks) closeTo(t, Infinity);
  return { calls, tracks: tracks.length, end, frames: source.frames };
}

/** Calls kept in a subtree (all of them without a filter). */
function countKept(keep: Uint8Array | null, at: number, descendants: number): number {
  if (keep === null) return descendants;
  let n = 0;
  for (let k = at + 1; k <= at + descendants; k++) n += keep[k];
  return n;
}
