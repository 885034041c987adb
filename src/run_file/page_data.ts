// The run as a `tph view --html` page holds it: the JSON block src/cli/html/write_html.ts writes
// and the viewer (viewer/model.ts) reads. A call and a function are arrays, not objects, so that a
// page of 200,000 calls stays small; their columns are named here, once for both.

import type { CallState } from "./call_state.ts";

/**
 * A function: its name, file, line (0: unknown), flags (call_state.ts: FN_ASYNC | FN_EXTERNAL)
 * and parameter names (argument positions for an external call).
 */
export type FrameRow = [name: string, file: string, line: number, flags: number, params: string[]];

/** Columns of a {@linkcode FrameRow}. */
export const FRAME_NAME = 0, FRAME_FILE = 1, FRAME_LINE = 2, FRAME_FLAGS = 3, FRAME_PARAMS = 4;
/**
 * A frame's flag (past call_state.ts's) for the node that holds a followed process's or worker's
 * calls (`worker 2`): not a function, its value the run's id.
 */
export const FRAME_RUN = 4;

/**
 * A call, in stored order (depth first): its function (an index into the frames), depth (0 at
 * the top), start and length in µs, state, calls left out below it, argument texts, the return
 * value's or the error's text (null when it did not finish), its track, and the µs of its length
 * it spent suspended (awaiting, between yields).
 */
export type CallRow = [
  frame: number,
  depth: number,
  start: number,
  length: number,
  state: CallState,
  leftOut: number,
  args: string[],
  value: string | null,
  track: number,
  awaited: number,
];

/** Columns of a {@linkcode CallRow}. */
export const CALL_FRAME = 0,
  CALL_DEPTH = 1,
  CALL_START = 2,
  CALL_LENGTH = 3,
  CALL_STATE = 4,
  CALL_LEFT_OUT = 5,
  CALL_ARGS = 6,
  CALL_VALUE = 7,
  CALL_TRACK = 8,
  CALL_AWAITED = 9;

/** What the page says of the run, above its calls. */
export interface PageMeta {
  title: string;
  label: string | null;
  command: string | null;
  cwd: string | null;
  runtime: string | null;
  timestamp: string;
  duration_ms: number | null;
  ended: string | null;
  exit_code: number | null;
  error: string | null;
  call_count: number;
  dropped_calls: number;
  limit_reason: string | null;
  /** Where the run shows summaries instead of values (render/summary.ts), or null. */
  summarised?: string | null;
  filter: string | null;
  max_depth: number | null;
}

/** The page's JSON block. */
export interface PageData {
  /** The block's version. */
  v: number;
  meta: PageMeta;
  calls: CallRow[];
  frames: FrameRow[];
  /** Calls in the page. */
  shown: number;
  /** Calls of the run (with the page's filter) past `max_calls`, not in the page. */
  left_out: number;
  max_calls: number;
  /**
   * The runs of the processes and workers the run started (tph run followed them), and the run
   * that started it (absent in pages written before).
   */
  family?: PageFamily;
}

/** A followed process or worker, as a page lists it. */
export interface PageChild {
  kind: "process" | "worker";
  /** Its process id (a worker's: its program's), its thread id (a worker's). */
  pid: number | null;
  thread: number | null;
  /** Its run's id; null when it left no run. */
  run: string | null;
  /** The call that started it (its row in the page), or -1 when it is not in the page. */
  call: number;
  /** The traced function it was started in, when known. */
  started_by: string | null;
  /** The row of the node that holds its calls in the page (under the call), or -1. */
  row: number;
  /** How it is named: `worker 2` (`worker web.js` when its thread id is not known), `process 4343`. */
  name: string;
}

/** A page's runs of the same program. */
export interface PageFamily {
  /** The run that started this one (a followed process's or worker's), or null. */
  parent: { run: string; kind: "process" | "worker"; call: number | null } | null;
  /** The processes and workers it started (and those they started), in the order they started. */
  children: PageChild[];
}
