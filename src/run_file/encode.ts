// The run file's encoder: a source of calls written in the run format (format.ts), streaming — one
// pass over the calls depth first, each record straight into one reused buffer (encode_sink.ts),
// then the skip index, the functions table, the meta and the trailer. The source says what each
// call was; the encoder alone knows how a run file stores it. The recorder's tape is one source
// (src/program/recorder/run_writer.ts); any other (a run read back, several processes' runs) can
// be written by the same code. It runs in the program's process: built-ins come from
// platform/globals.ts and intrinsics.ts.

import type { FileWriter } from "../platform/files.ts";
import { max, plainJSON, utf8 } from "../platform/intrinsics.ts";
import type { ByteSink } from "./json_sink.ts";
import {
  type FunctionEntry,
  HAS_AWAITED,
  HAS_DROPPED,
  HAS_DROPPED_BELOW,
  RUN_MAGIC,
  SKIP_MIN,
  TRAILER_MAGIC,
} from "./format.ts";
import { type CallState, FN_EXTERNAL, UNFINISHED } from "./call_state.ts";
import { putVarint, RunSink, zigzag } from "./encode_sink.ts";

export { RunSink };

/** One call as a source hands it to the encoder (one object, filled again for each call). */
export interface CallToEncode {
  /** Its function: the source's own number for it (see CallsToEncode.functionEntry). */
  fn: number;
  /** How it ended: RETURNED, THREW, or UNFINISHED (not ended when the run was written). */
  state: CallState;
  /** Calls in its subtree, itself excluded (its record comes before them). */
  descendants: number;
  /** µs from the trace's start, whole. */
  start: number;
  /** µs, whole (a call that ended; not read for an unfinished one). */
  elapsed: number;
  /** µs of its time spent suspended (awaiting, between yields), at most `elapsed`; 0: none. */
  awaited: number;
  /** Calls limits left out under it; -1: none said (0 is still written). */
  dropped: number;
  /** Calls limits left out under its descendants (0: none). */
  droppedBelow: number;
}

/**
 * A source of calls: what the encoder reads of a run, whatever holds it. The encoder asks for the
 * calls once, depth first, and for each function's entry once, at its first call.
 */
export interface CallsToEncode {
  /** The call the walk is at, filled before each `open`. */
  readonly call: CallToEncode;
  /**
   * Walk the calls depth first, in pre-order (a call, then its children's subtrees, in call
   * order): `open(depth)` for each call once `call` holds it (depth 0: a root), `close(depth)`
   * after its subtree, with the same depth.
   */
  walk(open: (depth: number) => void, close: (depth: number) => void): void;
  /** The functions table's entry of the source's function `fn`. */
  functionEntry(fn: number): FunctionEntry;
  /** How many arguments the current call was given (a call of an external function only). */
  externalArgs(): number;
  /**
   * Write the current call's `count` arguments as values (RunSink.textValue, wholeValue…): its
   * parameters', or, `external`, the arguments it was given (`count` is externalArgs()).
   */
  writeArgs(out: RunSink, count: number, external: boolean): void;
  /** Write the current call's return value (it returned) or its error's text (it threw). */
  writeResult(out: RunSink): void;
  /** The run's top-level fields but its calls (the meta), asked for once the calls are written. */
  meta(): Record<string, unknown>;
}

/**
 * Write a run file: the calls of `source` depth first, then the skip index, the functions, the
 * meta and the trailer (format.ts). The caller closes `file`.
 *
 * @param source The calls and the meta.
 * @param file Where the bytes go.
 * @param buf The buffer to write through (a reused one: json_sink.ts, sinkBuffer), or a new one.
 */
export function encodeRun(
  source: CallsToEncode,
  file: ByteSink | FileWriter,
  buf?: Uint8Array,
): void {
  const out = new RunSink(file, buf);
  out.bytes(RUN_MAGIC);
  const functions = new FunctionTable(source);
  const { ordinal, skips } = writeCalls(out, source, functions);
  const skipAt = out.offset;
  out.varint(ordinal);
  out.varint(skips.length / 2);
  for (let k = 0; k < skips.length; k++) out.varint(skips[k]);
  const functionsAt = out.offset;
  out.bytes(utf8(plainJSON(functions.entries)));
  const metaAt = out.offset;
  out.bytes(utf8(plainJSON(source.meta())));
  out.f64(skipAt);
  out.f64(functionsAt);
  out.f64(metaAt);
  out.bytes(utf8(TRAILER_MAGIC));
  out.flush();
}

/** The run's functions, by first use, and each one's index in it by the source's number. */
class FunctionTable {
  readonly entries: FunctionEntry[] = [];
  #localOf = new Int32Array(1024);
  /** Per function in the table: its parameters, or -1 for an external one (arguments counted). */
  paramCount = new Int32Array(1024);
  readonly #source: CallsToEncode;

  constructor(source: CallsToEncode) {
    this.#source = source;
  }

  /** The index in the table of the source's function `id`, added on first use. */
  localId(id: number): number {
    let localOf = this.#localOf;
    if (id >= localOf.length) {
      const grown = new Int32Array(max(id + 1, localOf.length * 2));
      for (let k = 0; k < localOf.length; k++) grown[k] = localOf[k];
      localOf = this.#localOf = grown;
    }
    let k = localOf[id];
    if (k === 0) {
      const functions = this.entries;
      const entry = this.#source.functionEntry(id);
      functions[functions.length] = entry;
      k = localOf[id] = functions.length;
      if (k > this.paramCount.length) {
        const grown = new Int32Array(this.paramCount.length * 2);
        grown.set(this.paramCount);
        this.paramCount = grown;
      }
      this.paramCount[k - 1] = (entry[6] & FN_EXTERNAL) !== 0 ? -1 : entry[5].length;
    }
    return k - 1;
  }
}

/**
 * The calls' records depth first, as the source walks them; the subtrees of big calls are
 * indexed as they close.
 *
 * @returns How many records, and the skip index: (ordinal, offset after the subtree) pairs.
 */
function writeCalls(
  out: RunSink,
  source: CallsToEncode,
  functions: FunctionTable,
): { ordinal: number; skips: number[] } {
  const c = source.call;
  const skips: number[] = [];
  let ordinal = 0;
  // Per open call, by depth: its ordinal, descendants and start (a record's start is stored
  // relative to its parent's).
  const ordinalOf: number[] = [];
  const belowOf: number[] = [];
  const startAt: number[] = [];
  const open = (depth: number): void => {
    const local = functions.localId(c.fn);
    const state = c.state;
    const ended = state !== UNFINISHED;
    // The fixed part of the record, within the buffer's slack (five varints and a byte).
    out.room();
    const buf = out.buf;
    let pos = putVarint(buf, out.pos, local);
    buf[pos++] = state | (c.dropped >= 0 ? HAS_DROPPED : 0) |
      (c.droppedBelow > 0 ? HAS_DROPPED_BELOW : 0) | (c.awaited > 0 ? HAS_AWAITED : 0);
    pos = putVarint(buf, pos, c.descendants);
    pos = putVarint(buf, pos, zigzag(c.start - (depth === 0 ? 0 : startAt[depth - 1])));
    startAt[depth] = c.start;
    if (ended) pos = putVarint(buf, pos, c.elapsed);
    out.pos = pos;
    const count = functions.paramCount[local];
    if (count < 0) {
      const n = source.externalArgs();
      out.varint(n);
      source.writeArgs(out, n, true);
    } else source.writeArgs(out, count, false);
    if (ended) source.writeResult(out);
    if (c.dropped >= 0) out.varint(c.dropped);
    if (c.droppedBelow > 0) out.varint(c.droppedBelow);
    if (c.awaited > 0) out.varint(c.awaited);
    ordinalOf[depth] = ordinal++;
    belowOf[depth] = c.descendants;
  };
  const close = (depth: number): void => {
    if (belowOf[depth] >= SKIP_MIN) {
      skips[skips.length] = ordinalOf[depth];
      skips[skips.length] = out.offset;
    }
  };
  source.walk(open, close);
  return { ordinal, skips };
}
