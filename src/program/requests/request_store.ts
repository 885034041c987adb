// Storing a server's runs, one per request, while it serves: each run is encoded in memory as its
// response ends (through one reused buffer), then written to its file off the event loop (node:fs's
// callbacks: the open, write and link run on the runtime's I/O threads), so a request costs the
// server the encoding only. Runs still being written when the process ends are written then,
// synchronously. The cache is kept in bounds: this process's oldest request runs go past
// MAX_REQUEST_RUNS, and max_runs / max_cache_mb (which list the cache) are applied at most every
// PRUNE_EVERY_MS.

import { createRequire } from "node:module";
import { join } from "node:path";
import process from "../../platform/node_process.ts";
import { fileProblem, randomHex, writeNewBytes } from "../../platform/files.ts";
import { bytesSet, bytesSub, round } from "../../platform/intrinsics.ts";
import { runtime } from "../recorder/recorder.ts";
import { traceConfig } from "../recorder/to_json.ts";
import { encodeTraceRun } from "../recorder/run_writer.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import type { RequestInfo, RunInfo, TraceContextJSON } from "../../types.ts";
import { ensureCacheDir } from "../../store/cache_dir.ts";
import { runFileName, storeRunFile } from "../../store/save_run.ts";
import { RUN_EXTENSION } from "../../run_file/format.ts";
import { sinkBuffer } from "../../run_file/json_sink.ts";
import { blockSettings, pruneCache } from "../blocks.ts";
import { Date, Uint8Array } from "../../platform/globals.ts";

/** The request runs this process keeps in the cache at most (oldest removed first). */
export const MAX_REQUEST_RUNS = 1000;
/** max_runs and max_cache_mb list the cache: at most once in this many ms. */
const PRUNE_EVERY_MS = 2000;

/** How a request ended, for its run. */
export interface RequestEnd {
  label: string;
  request: RequestInfo;
  traceContext: TraceContextJSON | null;
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

/** A run being written: its bytes, its temporary file and its name's parts. */
interface Pending {
  dir: string;
  tmp: string;
  bytes: Uint8Array;
  run: { timestamp: string; label: string };
  /** Linked under its run's name: nothing left to do at the end. */
  done: boolean;
}

const pending: Pending[] = [];
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

/** How many request runs were stored so far. */
export function requestRunsStored(): number {
  return storedCount;
}

/**
 * Store a finished request's trace as a run: encoded now, written soon (see the top).
 *
 * @param t The request's trace, stopped.
 * @param end Its label, the request and its trace context.
 */
export function saveRequest(t: TraceState, end: RequestEnd): void {
  const s = blockSettings();
  if (s === null || s.cacheDir === null) return;
  const dir = s.cacheDir;
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
    encodeTraceRun(
      t,
      end.label,
      bytes,
      {
        config: { ...traceConfig(t), ...s.files },
        run: info,
        ...(end.traceContext !== null ? { trace_context: end.traceContext } : {}),
      },
      buffer ??= sinkBuffer(),
    );
    const p: Pending = {
      dir,
      tmp: join(dir, `.request-${randomHex(6)}.tmp`),
      bytes: bytes.whole(),
      run: { timestamp: t.startedAt.toISOString(), label: end.label },
      done: false,
    };
    pending[pending.length] = p;
    write(p);
  } catch (e) {
    problem(dir, e);
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

/** Write a run's file, then link it under its run's name (a new name when one is taken). */
function write(p: Pending): void {
  const f = fs();
  f.writeFile(p.tmp, p.bytes, { mode: 0o600, flag: "wx" }, (e: unknown) => {
    if (p.done) return;
    if (e) return failed(p, e);
    const linkAs = () => {
      const path = join(p.dir, runFileName(p.run, RUN_EXTENSION));
      f.link(p.tmp, path, (e: { code?: string } | null) => {
        if (p.done) return;
        if (e && e.code === "EEXIST") return linkAs();
        if (e) return failed(p, e);
        finish(p, path);
        f.unlink(p.tmp, () => {});
      });
    };
    linkAs();
  });
}

function failed(p: Pending, e: unknown): void {
  finish(p, null);
  fs().unlink(p.tmp, () => {});
  problem(p.dir, e);
}

/** A run's file is in place (`path`), or could not be written (null). */
function finish(p: Pending, path: string | null): void {
  p.done = true;
  let j = 0;
  for (let i = 0; i < pending.length; i++) if (pending[i] !== p) pending[j++] = pending[i];
  pending.length = j;
  if (path === null) return;
  storedCount++;
  kept[kept.length] = path;
  if (kept.length > MAX_REQUEST_RUNS) {
    const old = kept[0];
    for (let i = 1; i < kept.length; i++) kept[i - 1] = kept[i];
    kept.length--;
    fs().unlink(old, () => {});
  }
  const s = blockSettings();
  if (s === null) return;
  const at = Date.now();
  if (at - lastPrune < PRUNE_EVERY_MS) return;
  lastPrune = at;
  pruneCache(p.dir, s.keep, path);
}

/** The process ends: the runs not written yet are written now (synchronously). */
export function flushRequestRuns(): void {
  const rt = runtime();
  rt.hush(true);
  try {
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      if (p.done) continue;
      p.done = true;
      try {
        const tmp = join(p.dir, `.request-${randomHex(6)}.tmp`);
        writeNewBytes(tmp, p.bytes, 0o600);
        storeRunFile(tmp, p.run, { cacheDir: p.dir }, RUN_EXTENSION);
        storedCount++;
      } catch (e) {
        problem(p.dir, e);
      }
    }
    pending.length = 0;
  } finally {
    rt.hush(false);
  }
}
