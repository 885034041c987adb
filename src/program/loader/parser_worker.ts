// Instrumenting from inside Deno's loader hook without the parser loaded in this thread.
//
// Loading oxc takes ~15 ms, and Deno cannot load it from inside a loader hook (its ES modules
// do not resolve there): tph loads it up front unless every file of the run is expected to come
// from the transform cache (see manifest.ts). When that guess is wrong, the file is instrumented
// by a worker thread that has the parser, while the hook waits for it: a one-time cost of tens of
// ms, paid only by a run that imports a file its previous run did not.

import process from "../../platform/node_process.ts";
import type { Worker } from "node:worker_threads";
import { ownWorker } from "../recorder/own_worker.ts";
import type { Insertions, InstrumentOptions } from "../instrument/instrument.ts";
import type { WorkerRequest } from "./instrument_worker.ts";
import { INSTRUMENT_WORKER_URL } from "./own_files.ts";
import {
  Atomics,
  Error,
  Float64Array,
  Int32Array,
  JSON,
  SharedArrayBuffer,
  TextDecoder,
  Uint8Array,
} from "../../platform/globals.ts";

let worker: Worker | null = null;
let data: SharedArrayBuffer | null = null;
const control = new Int32Array(new SharedArrayBuffer(8));
const decoder = new TextDecoder();
const TIMEOUT_MS = 60_000;
/**
 * node:worker_threads, loaded when a worker is first needed: most runs never start one, and the
 * module costs 10–15 ms of every Bun run's start to load. Captured before the program runs.
 */
// deno-lint-ignore no-explicit-any
const builtin: (name: string) => any = (process as any).getBuiltinModule.bind(process);

/**
 * Instrument a source in the parser worker, synchronously.
 *
 * @param source The module's source.
 * @param options As for instrument().
 * @returns The instrumented code.
 * @throws {Error} When the worker fails or does not answer in a minute.
 */
export function instrumentInWorker(source: string, options: InstrumentOptions): string {
  let w = worker;
  if (w === null) {
    const { Worker: WorkerClass } = builtin("node:worker_threads");
    w = worker = ownWorker(() => new WorkerClass(INSTRUMENT_WORKER_URL)) as Worker;
    // Never keep the program alive for it.
    w.unref();
    // deno-lint-ignore no-explicit-any
    data = new (SharedArrayBuffer as any)(1 << 16, { maxByteLength: 1 << 30 });
  }
  Atomics.store(control, 0, 0);
  const req: WorkerRequest = { source, options, control, data: data! };
  w.postMessage(req);
  if (Atomics.wait(control, 0, 0, TIMEOUT_MS) === "timed-out") {
    throw new Error("the parser worker did not answer");
  }
  const text = decoder.decode(new Uint8Array(data!, 0, control[1]).slice());
  if (control[0] !== 1) throw new Error(text);
  return text;
}

/**
 * {@linkcode instrumentInWorker}, also giving where text was inserted.
 *
 * @param source The module's source.
 * @param options As for instrument().
 * @returns The instrumented code and its insertions.
 */
export function instrumentInWorkerWithInsertions(
  source: string,
  options: InstrumentOptions,
): { code: string; insertions: Insertions } {
  const answer = JSON.parse(instrumentInWorker(source, { ...options, insertions: true }));
  return {
    code: answer.code,
    insertions: {
      offsets: Float64Array.from(answer.offsets),
      lengths: Int32Array.from(answer.lengths),
    },
  };
}
