/// <reference lib="dom" />
// The run as the page holds it (src/cli/html/write_html.ts writes it): calls in stored order
// (depth first) with their depth, turned into columns and links between calls. The rows' format
// and the call states are tph's own (src/run_file/).

import { FN_EXTERNAL } from "../src/run_file/call_state.ts";
import {
  CALL_ARGS,
  CALL_AWAITED,
  CALL_DEPTH,
  CALL_FRAME,
  CALL_LEFT_OUT,
  CALL_LENGTH,
  CALL_START,
  CALL_STATE,
  CALL_VALUE,
  FRAME_FILE,
  FRAME_FLAGS,
  FRAME_LINE,
  FRAME_NAME,
  FRAME_PARAMS,
  FRAME_RUN,
  type PageData,
} from "../src/run_file/page_data.ts";
export type { PageData } from "../src/run_file/page_data.ts";

/** The calls as columns, with the tree's links. */
export class Model {
  readonly n: number;
  readonly frame: Int32Array;
  readonly depth: Int32Array;
  readonly start: Float64Array;
  readonly dur: Float64Array;
  /** Of dur, the µs the call spent suspended (awaiting, between yields). */
  readonly awaited: Float64Array;
  readonly state: Uint8Array;
  /** The caller's index, -1 for a top call. */
  readonly parent: Int32Array;
  /** The index after the call's subtree. */
  readonly end: Int32Array;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly maxDepth: number;
  /**
   * Per frame, the first frame of its function: the calls of one function out of the traced
   * code (`console.log`) have a frame per call site, and count as one function.
   */
  readonly fnOf: Int32Array;
  #haystack: string[] | null = null;

  readonly data: PageData;
  constructor(data: PageData) {
    this.data = data;
    const calls = data.calls;
    const n = this.n = calls.length;
    this.frame = new Int32Array(n);
    this.depth = new Int32Array(n);
    this.start = new Float64Array(n);
    this.dur = new Float64Array(n);
    this.awaited = new Float64Array(n);
    this.state = new Uint8Array(n);
    this.parent = new Int32Array(n);
    this.end = new Int32Array(n);
    const open: number[] = [];
    let first = Infinity, last = 0, deepest = 0;
    for (let i = 0; i < n; i++) {
      const c = calls[i];
      const d = c[CALL_DEPTH];
      this.frame[i] = c[CALL_FRAME];
      this.depth[i] = d;
      this.start[i] = c[CALL_START];
      this.dur[i] = c[CALL_LENGTH];
      // Pages written before the column: none.
      this.awaited[i] = Math.min(c[CALL_LENGTH], Math.max(0, c[CALL_AWAITED] ?? 0));
      this.state[i] = c[CALL_STATE];
      while (open.length > d) this.end[open.pop()!] = i;
      this.parent[i] = d === 0 || open.length === 0 ? -1 : open[open.length - 1];
      open.push(i);
      if (c[CALL_START] < first) first = c[CALL_START];
      if (c[CALL_START] + c[CALL_LENGTH] > last) last = c[CALL_START] + c[CALL_LENGTH];
      if (d > deepest) deepest = d;
    }
    while (open.length > 0) this.end[open.pop()!] = n;
    this.firstTime = first === Infinity ? 0 : first;
    this.lastTime = Math.max(last, this.firstTime + 1);
    this.maxDepth = deepest;
    const frames = data.frames;
    this.fnOf = new Int32Array(frames.length);
    const firstOf = new Map<string, number>();
    for (let f = 0; f < frames.length; f++) {
      const fr = frames[f];
      const key = (fr[FRAME_FLAGS] & FN_EXTERNAL) !== 0
        ? "ext\u0000" + fr[FRAME_NAME]
        : fr[FRAME_NAME] + "\u0000" + fr[FRAME_FILE] + "\u0000" + fr[FRAME_LINE];
      let first = firstOf.get(key);
      if (first === undefined) firstOf.set(key, first = f);
      this.fnOf[f] = first;
    }
  }

  name(i: number): string {
    return this.data.frames[this.frame[i]][FRAME_NAME];
  }

  args(i: number): string[] {
    return this.data.calls[i][CALL_ARGS];
  }

  argName(i: number, k: number): string {
    return this.data.frames[this.frame[i]][FRAME_PARAMS][k] ?? String(k);
  }

  value(i: number): string | null {
    return this.data.calls[i][CALL_VALUE];
  }

  droppedBelow(i: number): number {
    return this.data.calls[i][CALL_LEFT_OUT];
  }

  hasChildren(i: number): boolean {
    return this.end[i] > i + 1;
  }

  /** The call's children, in order. */
  children(i: number): number[] {
    const out: number[] = [];
    for (let c = i + 1; c < this.end[i]; c = this.end[c]) out.push(c);
    return out;
  }

  /** `name(a=1, b="x")` as the tree shows it. */
  /** Whether the row is the node that holds a followed process's or worker's calls. */
  isRun(i: number): boolean {
    return (this.data.frames[this.frame[i]][FRAME_FLAGS] & FRAME_RUN) !== 0;
  }

  label(i: number): string {
    // The node of a process's or worker's run: its name alone.
    if (this.isRun(i)) return this.name(i);
    const args = this.args(i);
    let s = this.name(i) + "(";
    for (let k = 0; k < args.length; k++) {
      if (k > 0) s += ", ";
      const name = this.argName(i, k);
      s += /^\d+$/.test(name) ? args[k] : name + "=" + args[k];
    }
    return s + ")";
  }

  /** Each call's line as the tree shows it (`name(a=1) -> value`), lower-cased, made on the
   * first search: a search finds what is on screen, values and `name=value` alike. */
  haystack(i: number): string {
    if (this.#haystack === null) {
      const h: string[] = new Array(this.n);
      for (let k = 0; k < this.n; k++) {
        h[k] = (this.label(k) + "\u0000" + (this.data.calls[k][CALL_VALUE] ?? "")).toLowerCase();
      }
      this.#haystack = h;
    }
    return this.#haystack[i];
  }

  /**
   * Per function (its first frame, see fnOf): calls, total time (not counted twice under
   * itself), self time (running its own code: not in the recorded calls below it, not
   * awaiting), and time awaiting (suspended: an async call's awaits, a generator's yields).
   */
  functionTable(): {
    frame: number;
    calls: number;
    total: number;
    self: number;
    awaiting: number;
  }[] {
    const frames = this.data.frames.length;
    const fnOf = this.fnOf;
    const calls = new Float64Array(frames), total = new Float64Array(frames);
    const self = new Float64Array(frames), awaiting = new Float64Array(frames);
    const openOf = new Int32Array(frames);
    const stack: number[] = [];
    for (let i = 0; i < this.n; i++) {
      while (stack.length > this.depth[i]) openOf[fnOf[this.frame[stack.pop()!]]]--;
      const f = fnOf[this.frame[i]];
      calls[f]++;
      if (openOf[f] === 0) total[f] += this.dur[i];
      let childTime = 0;
      // A child process's or worker's time is not its starter's (it ran elsewhere).
      for (let c = i + 1; c < this.end[i]; c = this.end[c]) {
        if (!this.isRun(c)) childTime += this.dur[c];
      }
      // Awaiting overlaps the calls below it (they run while it waits): running is what is left
      // of its length once both are taken out, each only once.
      self[f] += Math.max(0, this.dur[i] - Math.max(childTime, this.awaited[i]));
      awaiting[f] += this.awaited[i];
      openOf[f]++;
      stack.push(i);
    }
    const rows = [];
    for (let f = 0; f < frames; f++) {
      // The nodes that hold a child's calls are no function.
      if (calls[f] > 0 && (this.data.frames[f][FRAME_FLAGS] & FRAME_RUN) === 0) {
        rows.push({
          frame: f,
          calls: calls[f],
          total: total[f],
          self: self[f],
          awaiting: awaiting[f],
        });
      }
    }
    return rows;
  }
}

/** A round step (1, 2 or 5 × 10^k µs) for ticks about `target` µs apart. */
export function tickStep(target: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(target, 1e-3))));
  for (const k of [1, 2, 5]) if (k * p >= target) return k * p;
  return 10 * p;
}

/** A length in µs as `tph tree` shows it. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(2)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}
