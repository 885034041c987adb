// What the language server knows of one stored run: per function of its functions table, how its
// calls went — counted, timed, their first, last and failing calls' places in the file, who called
// it — from one scan of the run's records. The values themselves are not kept: a call's arguments
// and result are read back from the file by its place (nodeAt) when a hint or hover shows them, so
// the digest stays small however many calls the run holds.

import { openRun, type RunFile, type RunMeta } from "../../run_file/decode.ts";
import type { FunctionEntry } from "../../run_file/format.ts";
import { RUN_MAGIC, STATE_MASK } from "../../run_file/format.ts";
import { THREW } from "../../run_file/call_state.ts";
import type { CallNodeJSON } from "../../types.ts";
import { besideRun, EXPORT_SUFFIX } from "../../store/beside_run.ts";
import {
  fileStamp,
  isPlainFile,
  readAt,
  readBytes,
  replaceFile,
  stat,
  writeText,
} from "../../platform/files.ts";
import { isRaw } from "../../run_file/format.ts";
import type { FunctionRecord, RawReader, TraceState } from "../../program/read_runs.ts";

/** A call's place in the run file, for reading it back (RunFile.nodeAt). */
export interface CallPlace {
  position: number;
  start: number;
}

/** How the calls of one function went in the run. */
export interface FunctionDigest {
  /** Its index in the run's functions table. */
  fn: number;
  calls: number;
  threw: number;
  /** µs in its calls, a call inside another call of it not counted twice. */
  totalUs: number;
  /** µs in its calls less the calls they made. */
  selfUs: number;
  /** µs its calls spent suspended (awaiting, between yields). */
  awaitedUs: number;
  first: CallPlace[];
  last: CallPlace | null;
  failing: CallPlace[];
  /** Calls of it by the calling function's index (-1: a root). */
  callers: Map<number, number>;
  /** Calls it made, by the called function's index. */
  callees: Map<number, number>;
}

/** First calls and failing calls kept per function. */
const KEPT_CALLS = 3;

/** One run, digested. */
export interface RunDigest {
  path: string;
  meta: RunMeta;
  functions: readonly FunctionEntry[];
  /** By function index; undefined for a function that has no call in the run. */
  byFn: (FunctionDigest | undefined)[];
  /** Function indexes by the file they are in (as the run names it: an absolute path). */
  byFile: Map<string, number[]>;
  /** The open file, for reading calls back; null for a raw run read as it is (digestRaw). */
  file: RunFile | null;
  /**
   * A raw run read as it is (digestRaw): its trace, and its functions as records, by index;
   * places are its rows then (CallPlace.position); it is partial (below).
   */
  raw: { t: TraceState; records: FunctionRecord[]; indexOf: Map<number, number> } | null;
  /**
   * Only each function's calls, threw, and first, last and failing calls are known (digestRaw,
   * digestRun's `first`): enough for hints and diagnostics; the full digest follows.
   */
  partial: boolean;
  /** The calls read back so far, by place (hints and hovers ask for the same ones again). */
  nodes: Map<number, CallNodeJSON>;
  /** The ends of calls counted so far, by function, most frequent first (resultsOf). */
  results: Map<number, { sorted: [string, number][]; seen: number; beyond: boolean }>;
}

/** How a function's calls ended, counted by the text of each end (resultsOf). */
export interface Results {
  /** The most frequent ends, most first: `→ value`, `!! error` or `…` (not ended). */
  top: { text: string; count: number }[];
  /** Calls that ended otherwise than the ones in `top`. */
  others: number;
  /** How many different ends there were (at most DISTINCT_COUNTED; then "or more"). */
  distinct: number;
}

/** Different ends told apart per function at most; the calls of any further one count as others. */
export const DISTINCT_COUNTED = 1000;

/**
 * Digest the run at `path`: one scan of its calls, kept beside the run (`.lsp.json`) for the next
 * server (read back when the run's size and time are those it was made of). The file stays open
 * for reading calls back (close it with `digest.file.close()`).
 */
export function digestRun(
  path: string,
  options: { first?: boolean } = {},
): RunDigest & { file: RunFile } {
  const file = openRun(path);
  try {
    const stamp = fileStamp(path);
    const kept = stamp === null ? null : readKept(path, stamp, file);
    if (kept !== null) return withFiles(file, kept);
    if (options.first === true) return firstDigest(file);
    const d = digestOpen(file);
    if (stamp !== null) keep(path, stamp, d.byFn);
    return d;
  } catch (e) {
    file.close();
    throw e;
  }
}

/** A digest's figures of one function before any of its calls is counted. */
const newFn = (fn: number): FunctionDigest => ({
  fn,
  calls: 0,
  threw: 0,
  totalUs: 0,
  selfUs: 0,
  awaitedUs: 0,
  first: [],
  last: null,
  failing: [],
  callers: new Map(),
  callees: new Map(),
});

/**
 * What every digest counts of each function's calls, a call at a time: its calls, the calls that
 * threw, and the places of its first, last and failing calls (the last kept in typed arrays and
 * made a CallPlace at the end: no object a call).
 */
class CallCounts {
  readonly byFn: (FunctionDigest | undefined)[] = [];
  readonly #lastPosition: Float64Array;
  readonly #lastStart: Float64Array;
  constructor(functions: number) {
    this.#lastPosition = new Float64Array(functions);
    this.#lastStart = new Float64Array(functions);
  }
  /** A call of function `fn` at `position` (a raw run's row), started at `start` (-1: unknown). */
  count(fn: number, position: number, start: number, threw: boolean): FunctionDigest {
    const d = this.byFn[fn] ??= newFn(fn);
    d.calls++;
    if (d.first.length < KEPT_CALLS) d.first.push({ position, start });
    this.#lastPosition[fn] = position;
    this.#lastStart[fn] = start;
    if (threw) {
      d.threw++;
      if (d.failing.length < KEPT_CALLS) d.failing.push({ position, start });
    }
    return d;
  }
  /** The functions' digests, each with its last call's place. */
  done(): (FunctionDigest | undefined)[] {
    for (const d of this.byFn) {
      if (d !== undefined) {
        d.last = { position: this.#lastPosition[d.fn], start: this.#lastStart[d.fn] };
      }
    }
    return this.byFn;
  }
}

/**
 * A partial digest of an open run file (digestRun's `first`): each function's calls, threw, and
 * first, last and failing calls' places, by a scan with nothing else to keep — what hints and
 * diagnostics show. Not kept beside the run.
 */
function firstDigest(file: RunFile): RunDigest & { file: RunFile } {
  const counts = new CallCounts(file.functions.length);
  file.scan((r) => {
    counts.count(r.fn, r.position, r.start, (r.flags & STATE_MASK) === THREW);
    return true;
  });
  const d = withFiles(file, counts.done());
  d.partial = true;
  return d;
}

/** The sidecar's form (its `v`), changed when what it holds changes. */
const KEPT_VERSION = 1;

/** A digest as the sidecar holds it: per function, its figures and places as arrays. */
type KeptFn = [
  fn: number,
  calls: number,
  threw: number,
  totalUs: number,
  selfUs: number,
  awaitedUs: number,
  first: number[],
  last: number[],
  failing: number[],
  callers: number[],
  callees: number[],
];

const flat = (places: CallPlace[]) => places.flatMap((p) => [p.position, p.start]);
const unflat = (xs: number[]): CallPlace[] => {
  const out: CallPlace[] = [];
  for (let i = 0; i + 1 < xs.length; i += 2) out.push({ position: xs[i], start: xs[i + 1] });
  return out;
};
const pairs = (m: Map<number, number>) => [...m].flat();
const unpairs = (xs: number[]) => {
  const m = new Map<number, number>();
  for (let i = 0; i + 1 < xs.length; i += 2) m.set(xs[i], xs[i + 1]);
  return m;
};

/**
 * A file's time in whole ms: Deno gives whole ms, Node and Bun fractions, and a digest kept by a
 * server on one runtime is read by a server on another.
 */
const wholeMs = (ms: number) => Math.floor(ms);

/** Write the digest beside the run; a cache that cannot be written only costs the next scan. */
function keep(path: string, stamp: { size: number; mtimeMs: number }, byFn: RunDigest["byFn"]) {
  const fns: KeptFn[] = [];
  for (const d of byFn) {
    if (d === undefined) continue;
    fns.push([
      d.fn,
      d.calls,
      d.threw,
      d.totalUs,
      d.selfUs,
      d.awaitedUs,
      flat(d.first),
      d.last === null ? [] : flat([d.last]),
      flat(d.failing),
      pairs(d.callers),
      pairs(d.callees),
    ]);
  }
  const text = JSON.stringify({
    v: KEPT_VERSION,
    size: stamp.size,
    mtimeMs: wholeMs(stamp.mtimeMs),
    fns,
  });
  try {
    // Private, as the run it is made of (its places say what the program was called with).
    replaceFile(
      besideRun(path, EXPORT_SUFFIX.lsp),
      (temp) => writeText(temp, text, { exclusive: true, mode: 0o600 }),
    );
  } catch {
    // A read-only cache: scanned again next time.
  }
}

const isInts = (x: unknown): x is number[] =>
  Array.isArray(x) && x.every((n) => Number.isSafeInteger(n));

/**
 * The most bytes a kept digest of a run of `functions` functions and `records` calls takes, as
 * keep writes it: per function its 20 numbers at most (figures, first, last and failing calls),
 * and per distinct call edge (at most one a call) 4 numbers (the callee's callers, the caller's
 * callees); a number at most 17 characters and a comma. A larger file is not read.
 */
export function keptBound(functions: number, records: number): number {
  const edges = Math.min(records, (functions + 1) * functions);
  return 256 + 400 * functions + 4 * 18 * edges;
}

const keptDecoder = new TextDecoder();

/**
 * The kept digest of the run `file` (at `path`), when it is whole, of the run as it is, and every
 * function number, count and call place in it in range of the run; else null (then the run is
 * scanned, and its digest kept anew). A file larger than the run's digest could be is not read.
 */
function readKept(
  path: string,
  stamp: { size: number; mtimeMs: number },
  file: RunFile,
): RunDigest["byFn"] | null {
  const functions = file.functions.length, records = file.records;
  let kept: { v?: unknown; size?: unknown; mtimeMs?: unknown; fns?: unknown };
  const side = besideRun(path, EXPORT_SUFFIX.lsp);
  // Only a regular file is read: a link is not followed, a FIFO never waited on.
  if (!isPlainFile(side)) return null;
  try {
    const size = stat(side).size;
    if (size > keptBound(functions, records)) return null;
    // No further than that size: one that grew meanwhile is not the one kept.
    const bytes = readAt(side, 0, size + 1);
    if (bytes.length !== size) return null;
    kept = JSON.parse(keptDecoder.decode(bytes));
  } catch {
    return null;
  }
  if (
    kept === null || typeof kept !== "object" || kept.v !== KEPT_VERSION ||
    kept.size !== stamp.size || kept.mtimeMs !== wholeMs(stamp.mtimeMs) ||
    !Array.isArray(kept.fns) || kept.fns.length > functions
  ) return null;
  // Where a call's place can be: a record of a run file (after its magic, before its end), a
  // call's index in a JSON run's scan.
  const lowest = file.binary ? RUN_MAGIC.length : 0;
  const past = file.binary ? stamp.size : records;
  const isPlaces = (xs: number[], most: number) =>
    xs.length % 2 === 0 && xs.length <= 2 * most &&
    xs.every((n, i) => i % 2 === 1 ? n >= 0 : n >= lowest && n < past);
  // Calls by function: -1 (the top level) only as a caller.
  const isCounts = (xs: number[], lowestFn: number) =>
    xs.length % 2 === 0 &&
    xs.every((n, i) => i % 2 === 1 ? n >= 1 : n >= lowestFn && n < functions);
  const byFn: RunDigest["byFn"] = [];
  for (const f of kept.fns as unknown[]) {
    if (!Array.isArray(f) || f.length !== 11 || !isInts(f.slice(0, 6))) return null;
    const [fn, calls, threw, totalUs, selfUs, awaitedUs] = f as number[];
    const lists = f.slice(6) as unknown[];
    if (!lists.every(isInts) || fn < 0 || fn >= functions || byFn[fn] !== undefined) return null;
    const [first, last, failing, callers, callees] = lists as number[][];
    if (
      calls < 1 || threw < 0 || threw > calls ||
      totalUs < 0 || selfUs < 0 || awaitedUs < 0 ||
      !isPlaces(first, KEPT_CALLS) || first.length !== 2 * Math.min(calls, KEPT_CALLS) ||
      !isPlaces(last, 1) || last.length !== 2 ||
      !isPlaces(failing, KEPT_CALLS) || failing.length !== 2 * Math.min(threw, KEPT_CALLS) ||
      !isCounts(callers, -1) || !isCounts(callees, 0)
    ) return null;
    byFn[fn] = {
      fn,
      calls,
      threw,
      totalUs,
      selfUs,
      awaitedUs,
      first: unflat(first),
      last: { position: last[0], start: last[1] },
      failing: unflat(failing),
      callers: unpairs(callers),
      callees: unpairs(callees),
    };
  }
  // A function named as a caller or a callee ran.
  for (const d of byFn) {
    if (d === undefined) continue;
    for (const caller of d.callers.keys()) {
      if (caller >= 0 && byFn[caller] === undefined) return null;
    }
    for (const callee of d.callees.keys()) if (byFn[callee] === undefined) return null;
  }
  return byFn;
}

function digestOpen(file: RunFile): RunDigest & { file: RunFile } {
  const n = file.functions.length;
  const counts = new CallCounts(n);
  const byFn = counts.byFn;
  // The open calls along the scan, by depth: function, elapsed, the children's elapsed.
  const stackFn: number[] = [], stackElapsed: number[] = [], stackChildren: number[] = [];
  // Open calls of each function (a recursive call's time is its outermost call's).
  const active = new Int32Array(n);
  // Calls by (caller + 1) * n + callee, the same pair in a row counted before the map is asked
  // (a recursion's every call).
  const edges = new Map<number, number>();
  let edge = -1, edgeCount = 0;
  let depthNow = 0;
  const close = (to: number) => {
    while (depthNow > to) {
      depthNow--;
      const fn = stackFn[depthNow], el = stackElapsed[depthNow];
      if (el >= 0) byFn[fn]!.selfUs += Math.max(0, el - stackChildren[depthNow]);
      active[fn]--;
    }
  };
  file.scan((r, depth) => {
    close(depth);
    const fn = r.fn;
    const d = counts.count(fn, r.position, r.start, (r.flags & STATE_MASK) === THREW);
    if (active[fn] === 0 && r.elapsed >= 0) d.totalUs += r.elapsed;
    d.awaitedUs += r.awaited;
    const parent = depth > 0 ? stackFn[depth - 1] : -1;
    const key = (parent + 1) * n + fn;
    if (key === edge) edgeCount++;
    else {
      if (edge >= 0) edges.set(edge, (edges.get(edge) ?? 0) + edgeCount);
      edge = key;
      edgeCount = 1;
    }
    if (depth > 0 && r.elapsed >= 0) stackChildren[depth - 1] += r.elapsed;
    stackFn[depth] = fn;
    stackElapsed[depth] = r.elapsed;
    stackChildren[depth] = 0;
    active[fn]++;
    depthNow = depth + 1;
    return true;
  });
  close(0);
  if (edge >= 0) edges.set(edge, (edges.get(edge) ?? 0) + edgeCount);
  for (const [key, count] of edges) {
    const parent = Math.floor(key / n) - 1, fn = key % n;
    byFn[fn]!.callers.set(parent, count);
    if (parent >= 0) byFn[parent]!.callees.set(fn, count);
  }
  return withFiles(file, counts.done());
}

/** The digest of `file` whose functions went as `byFn` says, indexed by file. */
function withFiles(file: RunFile, byFn: RunDigest["byFn"]): RunDigest & { file: RunFile } {
  const functions = file.functions;
  return {
    path: file.path,
    meta: file.meta,
    functions,
    byFn,
    byFile: filesOf(functions, byFn),
    file,
    raw: null,
    partial: false,
    nodes: new Map(),
    results: new Map(),
  };
}

/** Function indexes by the file they are in, of the functions that ran. */
function filesOf(
  functions: readonly FunctionEntry[],
  byFn: RunDigest["byFn"],
): Map<string, number[]> {
  const byFile = new Map<string, number[]>();
  for (let i = 0; i < functions.length; i++) {
    if (byFn[i] === undefined) continue;
    const where = functions[i][2];
    if (where === "") continue;
    const list = byFile.get(where);
    if (list === undefined) byFile.set(where, [i]);
    else list.push(i);
  }
  return byFile;
}

/**
 * What reading a raw run takes from the program's side (read_runs.ts, rawReader): set by
 * `tph lsp` once loaded, so that the CLI's bundle does not carry the recorder.
 */
let rawReader: RawReader | null = null;

/** Set (or, null, unset) what digestRaw reads raw runs with; without, raw runs are converted. */
export function setRawReader(reader: RawReader | null): void {
  rawReader = reader;
}

/**
 * Digest a raw run (as `tph run` leaves it) without making it a run file: its rows read from the
 * tape its bytes rebuild (raw_run.ts, readRawRun), each function's calls, threw, first, last and
 * failing calls counted in one pass over the columns (a partial digest). Enough for hints and
 * diagnostics at once; digestRun then makes the run file and the full digest (times, results,
 * trees). Null when the file is no raw run (now: another command made it a run file meanwhile).
 */
export function digestRaw(path: string): RunDigest | null {
  const reader = rawReader;
  if (reader === null) return null;
  // Its 8th byte first: a run file is not read whole here.
  const head = readAt(path, 0, 8);
  if (head.length < 8 || !isRaw(head[7])) return null;
  const bytes = readBytes(path);
  if (bytes.length < 8 || !isRaw(bytes[7])) return null;
  const { t, meta, entries } = reader.readRawRun(
    bytes,
    (why) => new Error(`the raw run ${why}`),
  );
  const tp = t.tape;
  // The functions in id order, numbered from 0 as a run file's table is (by first use there).
  const ids = [...entries.keys()].sort((a, b) => a - b);
  const indexOf = new Map<number, number>();
  const functions: FunctionEntry[] = [];
  const records: FunctionRecord[] = [];
  for (const id of ids) {
    const e = entries.get(id)!;
    indexOf.set(id, functions.length);
    functions.push(e);
    records.push({
      qualname: e[0],
      module: e[1],
      file: e[2],
      line: e[3],
      column: 0,
      kind: e[4],
      params: e[5],
      flags: 0,
      span: e.length === 9 ? e[7] : -1,
      textHash: e.length === 9 ? e[8] : 0,
    });
  }
  const counts = new CallCounts(functions.length);
  reader.eachRecordedRow(t, (row, finished) => {
    const fn = indexOf.get(tp.fn[row]);
    if (fn !== undefined) counts.count(fn, row, -1, finished && tp.state[row] === THREW);
  });
  const byFn = counts.done();
  return {
    path,
    meta: meta as unknown as RunMeta,
    functions,
    byFn,
    byFile: filesOf(functions, byFn),
    file: null,
    raw: { t, records, indexOf },
    partial: true,
    nodes: new Map(),
    results: new Map(),
  };
}

/** The digest's run file; a raw run's digest has none (digestRun's follows it). */
function fileOf(d: RunDigest): RunFile {
  if (d.file === null) throw new Error("the run is still being read: ask again");
  return d.file;
}

/**
 * A call read back from the run (its children not read), once: the digest keeps what it read
 * (a few calls a function at most: its first, last and failing ones). Not to be changed.
 */
export function callAt(digest: RunDigest, place: CallPlace): CallNodeJSON {
  let node = digest.nodes.get(place.position);
  if (node === undefined) {
    const raw = digest.raw;
    if (raw !== null) {
      // A raw run's row, made a node as the JSON run makes it (to_json.ts).
      const { t } = raw, row = place.position;
      const finished = rawReader!.endedInTrace(t, row);
      node = rawReader!.callNode(t, raw.records[raw.indexOf.get(t.tape.fn[row])!], row, finished);
    } else node = fileOf(digest).nodeAt(place.position, place.start);
    digest.nodes.set(place.position, node);
  }
  return node;
}

/** Thrown by resultsOf's visit to end a scan once every call of the function was seen. */
const SEEN_ALL = Symbol("seen all");

/**
 * How the calls of function `fn` ended, counted by what each ended with (its return value's or
 * error's text as the run holds it), the `top` most frequent kept: one scan of the run, when a
 * hover first asks (stopped at the function's last call), kept in the digest.
 */
export function resultsOf(d: RunDigest, fn: number, top = 5): Results {
  let counted = d.results.get(fn);
  if (counted === undefined) d.results.set(fn, counted = countEnds(d, fn));
  const { sorted, seen, beyond } = counted;
  const kept = sorted.slice(0, top).map(([text, count]) => ({ text, count }));
  return {
    top: kept,
    others: seen - kept.reduce((sum, k) => sum + k.count, 0),
    distinct: sorted.length + (beyond ? 1 : 0),
  };
}

/** The ends of function `fn`'s calls, counted by their texts (resultsOf). */
function countEnds(d: RunDigest, fn: number) {
  const calls = d.byFn[fn]?.calls ?? 0;
  const counts = new Map<string, number>();
  let seen = 0, beyond = 0;
  try {
    fileOf(d).scan((r) => {
      if (r.fn !== fn) return true;
      const state = r.flags & STATE_MASK;
      const text = r.values > r.args
        ? (state === THREW ? "!! " : "→ ") + r.text(r.values - 1)
        : "…";
      const n = counts.get(text);
      if (n !== undefined) counts.set(text, n + 1);
      else if (counts.size < DISTINCT_COUNTED) counts.set(text, 1);
      else beyond++;
      if (++seen === calls) throw SEEN_ALL;
      return true;
    });
  } catch (e) {
    if (e !== SEEN_ALL) throw e;
  }
  return { sorted: [...counts].sort((a, b) => b[1] - a[1]), seen, beyond: beyond > 0 };
}

/**
 * The subtree of the call at `place`, read back as a tree of at most `limit` calls; `notRead`
 * counts the calls below it past that.
 */
export function subtreeAt(
  digest: RunDigest,
  place: CallPlace,
  limit = 2000,
): { root: CallNodeJSON; notRead: number } {
  let root: CallNodeJSON | null = null;
  let rootDepth = -1;
  const open: CallNodeJSON[] = [];
  let read = 0, notRead = 0;
  let done = false;
  const file = fileOf(digest);
  file.scan((r, depth) => {
    if (done) return false;
    if (root === null) {
      if (r.position !== place.position) return true;
      root = file.nodeAt(r.position, r.start);
      rootDepth = depth;
      open[0] = root;
      read = 1;
      return true;
    }
    if (depth <= rootDepth) {
      done = true;
      return false;
    }
    if (read >= limit) {
      notRead += 1 + r.descendants;
      return false;
    }
    const node = file.nodeAt(r.position, r.start);
    const level = depth - rootDepth;
    open[level - 1].children.push(node);
    open[level] = node;
    read++;
    return true;
  });
  if (root === null) throw new Error("that call is no longer in the run");
  return { root, notRead };
}
