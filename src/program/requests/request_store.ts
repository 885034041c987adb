// Storing a server's runs, one per request, while it serves. A request that ends is queued; a
// writer encodes each queued run (through one reused buffer) and writes its file off the event
// loop (node:fs's callbacks: open, write and rename run on the runtime's I/O threads), WRITERS at a
// time. Creating a file costs the system ~1 ms on a journaling file system: when requests end
// faster than their runs can be written, the queue keeps the newest QUEUE_MAX and the others are
// not stored (counted: `tph run` says how many), so the server's speed stays its own.
// The runs still queued when the process ends are written then, synchronously. The cache is kept
// in bounds: this process's oldest request runs go past MAX_REQUEST_RUNS (or max_runs), and
// max_runs / max_cache_mb over the whole cache (which list it) at most every PRUNE_EVERY_MS.

import { createRequire } from "node:module";
import { join } from "node:path";
import process from "../../platform/node_process.ts";
import { fileProblem, randomHex, remove, rename, writeNewBytes } from "../../platform/files.ts";
import { bytesSet, bytesSub, dateGetTime, round, SafeMap } from "../../platform/intrinsics.ts";
import { runtime } from "../recorder/recorder.ts";
import { traceConfig } from "../recorder/to_json.ts";
import { encodeTraceRun } from "../recorder/run_writer.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import type { ChildRunJSON, RequestInfo, RunInfo, TraceContextJSON } from "../../types.ts";
import type { RequestChild } from "./request_runs.ts";
import { ensureCacheDir } from "../../store/cache_dir.ts";
import { runFileName } from "../../store/save_run.ts";
import { RUN_EXTENSION } from "../../run_file/format.ts";
import { sinkBuffer } from "../../run_file/json_sink.ts";
import { Date, type Map, Uint8Array } from "../../platform/globals.ts";

/** The request runs this process keeps in the cache at most (oldest removed first). */
export const MAX_REQUEST_RUNS = 1000;
/**
 * max_runs and max_cache_mb list the cache (each run's meta read: ~50 µs a run): at most once in
 * this many ms (this process's own request runs are kept within max_runs without it).
 */
const PRUNE_EVERY_MS = 10_000;

/** Where and how runs are stored here: the trace() blocks' settings (blocks.ts). */
export interface StoreSettings {
  /** The run cache; null: runs are not stored. */
  cacheDir: string | null;
  command: string[];
  cwd: string;
  runtime: { name: string; version: string };
  /** The globs that chose the traced files, stored with each run. */
  files: { include: string[]; exclude: string[] };
  keep: { maxRuns: number | null; maxCacheMb: number | null };
}

/** What keeps the cache within max_runs and max_cache_mb (blocks.ts, pruneCache). */
export type Prune = (dir: string, keep: StoreSettings["keep"], just: string) => void;

let blockSettings: () => StoreSettings | null = () => null;
let pruneCache: Prune = () => {};

/**
 * Store request runs with these settings.
 *
 * @param settings The blocks' settings, as they are when a run is stored.
 * @param prune Keeps the cache within its bounds.
 */
export function useRequestStore(settings: () => StoreSettings | null, prune: Prune): void {
  blockSettings = settings;
  pruneCache = prune;
}

/**
 * Where the processes and workers a request's handler started belong (follow.ts): under the
 * request's run, stored under the file name `run` (in the cache), each started by the call
 * numbered `calls[i]` there (null: not in the run); `run` null: the request's run is not stored,
 * and they go to the process's run.
 */
export type ChildLinks = (
  run: string | null,
  children: readonly RequestChild[],
  calls: readonly (number | null)[],
) => void;

let childLinks: ChildLinks = () => {};

/** Tell where a request's children belong with `links` (follow.ts). */
export function useChildLinks(links: ChildLinks): void {
  childLinks = links;
}

/** How a request ended, for its run. */
export interface RequestEnd {
  label: string;
  request: RequestInfo;
  traceContext: TraceContextJSON | null;
  /** The processes and workers its handler started. */
  children: readonly RequestChild[];
}

/** A request's run not stored: its children go to the process's run. */
function notStored(end: RequestEnd): void {
  if (end.children.length > 0) childLinks(null, end.children, []);
}

/** The bytes of a run in memory, in the chunks the encoder flushed. */
class Bytes {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  write(bytes: Uint8Array, length: number): void {
    // A copy: the encoder's buffer is written again.
    const chunk = new Uint8Array(length);
    bytesSet(chunk, length === bytes.length ? bytes : bytesSub(bytes, 0, length), 0);
    this.chunks[this.chunks.length] = chunk;
    this.size += length;
  }
  whole(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0];
    const all = new Uint8Array(this.size);
    let at = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      bytesSet(all, this.chunks[i], at);
      at += this.chunks[i].length;
    }
    return all;
  }
}

/** A request's run waiting to be written. */
interface Queued {
  t: TraceState;
  end: RequestEnd;
}

/** Runs waiting, oldest first, and how many files are being written now. */
const queue: Queued[] = [];
let writing = 0;
/** Files written at once (one: the I/O threads then leave the program a core of a two-core machine). */
const WRITERS = 1;
/** Runs waiting at most: past it the oldest waiting one is not stored. */
const QUEUE_MAX = 256;
/** Runs not stored because requests ended faster than their runs could be written. */
let dropped = 0;
/** The request runs this process stored, oldest first. */
const kept: string[] = [];
let buffer: Uint8Array | null = null;
let readyDir: string | null = null;
let toldProblem = false;
let lastPrune = 0;
/** Runs stored (tests and the bench read it). */
let storedCount = 0;

// deno-lint-ignore no-explicit-any
let fsModule: any = null;
// deno-lint-ignore no-explicit-any
function fs(): any {
  // Loaded when the first request ends: Deno's node:fs takes milliseconds to load.
  return fsModule ??= createRequire(import.meta.url)("node:fs");
}

/**
 * How many request runs were stored so far, how many this process keeps in the cache, and how
 * many were not stored (too many at once).
 */
export function requestRunsStored(): { stored: number; kept: number; dropped: number } {
  return { stored: storedCount, kept: kept.length, dropped };
}

/**
 * Store a finished request's trace as a run: queued now, written soon (see the top).
 *
 * @param t The request's trace, stopped.
 * @param end Its label, the request and its trace context.
 */
export function saveRequest(t: TraceState, end: RequestEnd): void {
  const s = blockSettings();
  if (s === null || s.cacheDir === null) return notStored(end);
  if (queue.length >= QUEUE_MAX) {
    notStored(queue[0].end);
    for (let i = 1; i < queue.length; i++) queue[i - 1] = queue[i];
    queue.length--;
    dropped++;
  }
  queue[queue.length] = { t, end };
  if (writing < WRITERS) writeNext();
}

/**
 * A request's run as a run file's bytes, to be stored as `name`; null when it cannot be (said
 * once). Its children are linked to it (childLinks) as the calls that started them are numbered.
 */
function encode(q: Queued, dir: string, name: string): Uint8Array | null {
  const s = blockSettings()!;
  const { t, end } = q;
  const rt = runtime();
  rt.hush(true);
  try {
    if (readyDir !== dir) {
      ensureCacheDir(dir);
      readyDir = dir;
    }
    const info: RunInfo = {
      command: s.command,
      cwd: s.cwd,
      runtime: s.runtime.name,
      runtime_version: s.runtime.version,
      ended: "completed",
      exit_code: null,
      signal: null,
      duration_ms: round((t.endTime - t.startTime) * 1000) / 1000,
      request: end.request,
    };
    const bytes = new Bytes();
    // The calls that started its children: numbered as the calls are written.
    const started = end.children, base = t.tape.base;
    const rows: Map<number, number> | null = started.length > 0
      ? new SafeMap<number, number>()
      : null;
    for (let i = 0; i < started.length; i++) rows!.set(started[i].row - base, -1);
    const calls: (number | null)[] = [];
    const children = () => {
      if (rows === null) return {};
      const list: ChildRunJSON[] = [], from = dateGetTime(t.startedAt);
      for (let i = 0; i < started.length; i++) {
        const c = started[i], call = rows.get(c.row - base) ?? -1;
        calls[i] = call < 0 ? null : call;
        list[i] = {
          run: null,
          call: calls[i],
          kind: c.kind,
          pid: c.pid,
          ...(c.thread !== undefined ? { thread: c.thread } : {}),
          start_ms: c.start > from ? c.start - from : 0,
        };
      }
      return { children: list };
    };
    encodeTraceRun(
      t,
      end.label,
      bytes,
      () => ({
        config: { ...traceConfig(t), ...s.files },
        run: info,
        ...(end.traceContext !== null ? { trace_context: end.traceContext } : {}),
        ...children(),
      }),
      buffer ??= sinkBuffer(),
      rows,
    );
    const whole = bytes.whole();
    if (rows !== null) childLinks(name, started, calls);
    return whole;
  } catch (e) {
    problem(dir, e);
    notStored(end);
    return null;
  } finally {
    rt.hush(false);
  }
}

function problem(dir: string, e: unknown): void {
  if (toldProblem) return;
  toldProblem = true;
  process.stderr.write(
    `tph: warning: cannot store a request's run in "${dir}": ${fileProblem(e)}; ` +
      `set run_per_request = false (or cache = false) in the config to not store them\n`,
  );
}

/**
 * Write the oldest waiting run: its bytes to a dot name, then renamed to its run's name (names
 * are unique: a time and 24 random bits; a reader never sees a part).
 */
function writeNext(): void {
  const s = blockSettings();
  if (queue.length === 0 || s === null || s.cacheDir === null) return;
  const q = queue[0];
  for (let i = 1; i < queue.length; i++) queue[i - 1] = queue[i];
  queue.length--;
  const dir = s.cacheDir;
  const name = runFileName(
    { timestamp: q.t.startedAt.toISOString(), label: q.end.label },
    RUN_EXTENSION,
  );
  const bytes = encode(q, dir, name);
  if (bytes === null) return writeNext();
  writing++;
  const tmp = join(dir, `.request-${randomHex(6)}.tmp`);
  const path = join(dir, name);
  const f = fs();
  const w: InFlight = { bytes, tmp, path, done: false };
  inFlight[inFlight.length] = w;
  const done = (e: unknown) => {
    if (w.done) return;
    w.done = true;
    let j = 0;
    for (let i = 0; i < inFlight.length; i++) if (inFlight[i] !== w) inFlight[j++] = inFlight[i];
    inFlight.length = j;
    writing--;
    if (e) {
      f.unlink(tmp, () => {});
      problem(dir, e);
    } else stored(dir, path);
    writeNext();
  };
  f.writeFile(tmp, bytes, { mode: 0o600, flag: "wx" }, (e: unknown) => {
    if (e) return done(e);
    f.rename(tmp, path, done);
  });
}

/** A run being written: its bytes, temporary file and name (the process may end meanwhile). */
interface InFlight {
  bytes: Uint8Array;
  tmp: string;
  path: string;
  done: boolean;
}
const inFlight: InFlight[] = [];

/** A run's file is in place. */
function stored(dir: string, path: string): void {
  storedCount++;
  kept[kept.length] = path;
  const s = blockSettings();
  // This process's own runs within bounds without listing the cache: max_runs, if lower.
  const most = s?.keep.maxRuns != null && s.keep.maxRuns < MAX_REQUEST_RUNS
    ? s.keep.maxRuns
    : MAX_REQUEST_RUNS;
  while (kept.length > most) {
    const old = kept[0];
    for (let i = 1; i < kept.length; i++) kept[i - 1] = kept[i];
    kept.length--;
    fs().unlink(old, () => {});
  }
  if (s === null) return;
  const at = Date.now();
  if (at - lastPrune < PRUNE_EVERY_MS) return;
  lastPrune = at;
  pruneCache(dir, s.keep, path);
}

/** The process ends: the runs still waiting are written now (synchronously). */
export function flushRequestRuns(): void {
  const s = blockSettings();
  if (s === null || s.cacheDir === null) return;
  const dir = s.cacheDir;
  const rt = runtime();
  // Those being written: written again, whole (the I/O thread's work never finishes now).
  for (let i = 0; i < inFlight.length; i++) {
    const w = inFlight[i];
    w.done = true;
    rt.hush(true);
    try {
      remove(w.tmp);
      writeNewBytes(w.tmp, w.bytes, 0o600);
      rename(w.tmp, w.path);
      storedCount++;
      kept[kept.length] = w.path;
    } catch (e) {
      problem(dir, e);
    } finally {
      rt.hush(false);
    }
  }
  inFlight.length = 0;
  for (let i = 0; i < queue.length; i++) {
    const q = queue[i];
    const name = runFileName(
      { timestamp: q.t.startedAt.toISOString(), label: q.end.label },
      RUN_EXTENSION,
    );
    const bytes = encode(q, dir, name);
    if (bytes === null) continue;
    rt.hush(true);
    try {
      const tmp = join(dir, `.request-${randomHex(6)}.tmp`);
      writeNewBytes(tmp, bytes, 0o600);
      // A name of 24 random bits past the time: as writeNext's, renamed into place.
      rename(tmp, join(dir, name));
      kept[kept.length] = join(dir, name);
      storedCount++;
    } catch (e) {
      problem(dir, e);
    } finally {
      rt.hush(false);
    }
  }
  queue.length = 0;
}
