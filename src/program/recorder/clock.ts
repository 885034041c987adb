// Timestamps for the recorder. performance.now() costs 45–95 ns a read (Bun/Deno), and a call
// needs two: more than the whole per-call budget. Once a trace has recorded enough calls to
// matter, a worker thread keeps writing performance.now() (in this thread's time base) into
// shared memory, and a read becomes a memory load of 1–2 ns with ~0.5 µs resolution.
// It costs a busy core while traces record, and on Deno 40–70 ms of the program's thread to start
// (node:worker_threads): on two cores, where the engine's garbage collector and compiler threads
// need the second one, whole runs of real libraries measured slower with it (marked, every call
// recorded: 1,422 against 1,290 ms on Deno, 1,707 against 1,371 on Bun; fib, yaml likewise), so it
// starts only with four cores or more. TPH_CLOCK=performance turns it off, TPH_CLOCK=thread on.

import process from "../../platform/node_process.ts";
import type { Worker } from "node:worker_threads";
import { ownWorker } from "./own_worker.ts";
import { performanceNow } from "../../platform/intrinsics.ts";
import { Float64Array, performance, SharedArrayBuffer } from "../../platform/globals.ts";
import { clearTimeout, setTimeout } from "../../platform/timers.ts";
import { ftlCandidates } from "./ftl.ts";

let shared: Float64Array | null = null;
let worker: Worker | null = null;

/**
 * A built-in module, loaded when first needed: most runs never start the clock thread, and
 * node:worker_threads and node:os cost ~7 ms to load on Bun. Captured before the program runs.
 */
// deno-lint-ignore no-explicit-any
const builtin: (name: string) => any = (process as any).getBuiltinModule.bind(process);

/**
 * The latest time `now` gave, and (at 1) the time taken out of the clock (takeOutSince), in a
 * typed array: a module's `let` holding a fraction made V8 box every value written (a heap number
 * per read).
 */
const latest = new Float64Array(2);

/**
 * Current time in ms, in the time base of `performance.now()`, never earlier than the time it
 * gave before: the thread's value can be older than a performance.now() read just before it
 * started (the thread was not scheduled), and a call must not start before its parent.
 */
export function now(): number {
  let v = 0;
  if (shared !== null) v = shared[0];
  if (v === 0) v = performanceNow();
  v -= latest[1];
  if (v < latest[0]) return latest[0];
  latest[0] = v;
  return v;
}

/**
 * Take the time since `from` (a time `now` gave) out of the clock: the times given after it are
 * as if that time had not passed (the recorder's warm-up: its time is no call's). Times given
 * before stay as they were.
 */
export function takeOutSince(from: number): void {
  let v = 0;
  if (shared !== null) v = shared[0];
  if (v === 0) v = performanceNow();
  v -= latest[1];
  if (v > from) latest[1] += v - from;
  latest[0] = from;
}

// The thread writes the time only when it moved by half a microsecond: each write takes the
// cache line away from the reading core, and writing at every turn of the loop (~25 million
// times a second) made a read cost tens of ns instead of one or two.
const WORKER_CODE = `
const { workerData } = require("node:worker_threads");
const out = new Float64Array(workerData.buffer);
const delta = performance.timeOrigin - workerData.origin;
let last = 0;
for (;;) {
  const t = performance.now() + delta;
  if (t - last >= 0.0005) {
    out[0] = t;
    last = t;
  }
}
`;

let idleTimer: ReturnType<typeof setTimeout> | null = null;
const IDLE_MS = 2000;

/** Whether the clock thread may start: `TPH_CLOCK`, read before the program runs. */
let mode: string | undefined = process.env.TPH_CLOCK;

/**
 * Set what `TPH_CLOCK` says (benchmarks): "thread" always starts the clock thread, "performance"
 * never, anything else where there are four cores or more.
 */
export function setClockMode(value: string | undefined): void {
  mode = value;
}

/** Start the clock thread, where it helps and is not turned off (see above). Idempotent. */
export function startFastClock(): void {
  if (idleTimer !== null) {
    clearTimeout(idleTimer);
    idleTimer = null;
  }
  if (worker !== null || mode === "performance") return;
  try {
    if (mode !== "thread" && builtin("node:os").availableParallelism() < 4) return;
    const buffer = new SharedArrayBuffer(8);
    const { Worker } = builtin("node:worker_threads") as typeof import("node:worker_threads");
    worker = ownWorker(() =>
      new Worker(WORKER_CODE, {
        eval: true,
        // Not the process's options: on Node they hold tph's preload, which the worker would load.
        execArgv: [],
        workerData: { buffer, origin: performance.timeOrigin },
      })
    );
    // Never keep the program alive, and never let a clock failure reach it.
    worker.unref();
    worker.on("error", () => stopFastClock());
    shared = new Float64Array(buffer);
  } catch {
    worker = null;
    shared = null;
  }
}

/**
 * Stop the clock thread after a short idle time (it takes 100–200 ms to start, so traces that
 * follow each other closely keep it); reads fall back to performance.now().
 */
export function idleFastClock(): void {
  if (worker === null || idleTimer !== null) return;
  idleTimer = setTimeout(stopFastClock, IDLE_MS);
  // deno-lint-ignore no-explicit-any
  (idleTimer as any).unref?.();
}

/** Stop the clock thread now; reads fall back to performance.now(). */
export function stopFastClock(): void {
  const w = worker;
  worker = null;
  shared = null;
  if (w !== null) w.terminate().catch(() => {});
}

// Kept from FTL on Bun when the recording is bounded (ftl.ts).
ftlCandidates([now]);
