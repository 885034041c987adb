// The worker that instruments for Deno's loader hook when the parser was not loaded up front
// (see parser_worker.ts): it answers one request at a time, writing the code as UTF-8 into the
// shared buffer it was given and waking the hook, which waits on the control words.

import { parentPort } from "node:worker_threads";
import { instrument, type InstrumentOptions } from "../instrument/instrument.ts";
import {
  Array,
  Atomics,
  Error,
  JSON,
  String,
  TextEncoder,
  Uint8Array,
} from "../../platform/globals.ts";

/** One request: what to instrument, and where the answer goes. */
export interface WorkerRequest {
  source: string;
  options: InstrumentOptions;
  /** [state (0 waiting, 1 done, 2 failed), byte length of the code]. */
  control: Int32Array;
  /** Growable: the code's UTF-8 bytes, or the error message's. */
  data: SharedArrayBuffer;
}

const encoder = new TextEncoder();

parentPort?.on("message", (req: WorkerRequest) => {
  let state = 1;
  let text: string;
  try {
    const r = instrument(req.source, req.options);
    // Asked with insertions: the code and where text was inserted, as JSON.
    text = r.insertions === undefined ? r.code : JSON.stringify({
      code: r.code,
      offsets: Array.from(r.insertions.offsets),
      lengths: Array.from(r.insertions.lengths),
    });
  } catch (e) {
    state = 2;
    text = String((e as Error)?.message ?? e);
  }
  const bytes = encoder.encode(text);
  // deno-lint-ignore no-explicit-any
  const data = req.data as any;
  if (data.byteLength < bytes.length) data.grow(bytes.length);
  new Uint8Array(req.data, 0, bytes.length).set(bytes);
  Atomics.store(req.control, 1, bytes.length);
  Atomics.store(req.control, 0, state);
  Atomics.notify(req.control, 0);
});
