// The run file's encoder: a source of calls written in the run format (format.ts), streaming — one
// pass over the calls depth first, each record straight into one reused buffer (encode_sink.ts),
// then the skip index, the values table (what the records refer to, written once), the functions
// table, the meta and the trailer. The source says what each call was; the encoder alone knows
// how a run file stores it. The recorder's tape is one source (src/program/recorder/run_writer.ts);
// any other (a run read back, several processes' runs) can be written by the same code. It runs in
// the program's process: built-ins come from platform/globals.ts and intrinsics.ts.

import type { FileWriter } from "../platform/files.ts";
import { max, ownArray, plainJSON, utf8 } from "../platform/intrinsics.ts";
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
import { Int32Array } from "../platform/globals.ts";

export { RunSink };

/**
 * A source of calls: what the encoder reads of a run, whatever holds it. The source writes the
 * calls' records itself, depth first (writeCalls), each through `putRecordHead`, its values
 * (RunSink.textValue, wholeValue…) and `putRecordTail`: one loop over what holds the calls, with no
 * object or callback per call (the recorder's tape: ~80 ns a call less than a walk handing each
 * call to the encoder; it writes the same bytes as putRecordHead inline, and a whole number's).
 */
export interface CallsToEncode {
  /**
   * Write the calls' records in pre-order (a call, then its children's subtrees, in call order)
   * into `out`, each function numbered by `functions` (FunctionTable.localId), the subtree of each
   * call of at least SKIP_MIN descendants added to `skips` as it ends (CallRecords.closed).
   */
  writeCalls(out: RunSink, functions: FunctionTable, records: CallRecords): void;
  /**
   * Write the values table (format.ts) the calls' records refer to (RunSink.entryValue): its
   * count of entries, then each entry's value. Once, after writeCalls.
   */
  writeTable(out: RunSink): void;
  /** The functions table's entry of the source's function `fn`. */
  functionEntry(fn: number): FunctionEntry;
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
  const records = new CallRecords();
  source.writeCalls(out, functions, records);
  const skips = records.skips;
  const skipAt = out.offset;
  out.varint(records.count);
  out.varint(skips.length / 2);
  for (let k = 0; k < skips.length; k++) out.varint(skips[k]);
  source.writeTable(out);
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
export class FunctionTable {
  readonly entries: FunctionEntry[] = ownArray([]);
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

/** Calls of a rarely taken path made up front (V8 keeps type feedback from a function's ninth). */
const WARM_CALLS = 12;

/** How many records a source wrote, and the skip index as their subtrees end. */
export class CallRecords {
  /** Records written. */
  count = 0;
  /** (ordinal, offset after the subtree) pairs, in the order the subtrees end. */
  readonly skips: number[] = ownArray([]);

  constructor() {
    // The rare path taken a few times, and taken back: its first real use, deep into a large
    // run, would otherwise throw away the walk's optimized code (V8 had no type feedback for it;
    // it keeps none for a function's first few calls).
    for (let k = 0; k < WARM_CALLS; k++) this.closed(0, SKIP_MIN, 0);
    this.skips.length = 0;
  }

  /** The subtree of record `ordinal`, of `descendants` calls, ended at file offset `offset`. */
  closed(ordinal: number, descendants: number, offset: number): void {
    if (descendants < SKIP_MIN) return;
    const skips = this.skips;
    skips[skips.length] = ordinal;
    skips[skips.length] = offset;
  }
}

/**
 * Write a record's fixed part (format.ts) at `pos` of `buf`, which has room for it (RunSink.room:
 * five varints and a byte); returns the position after it. Its arguments and return value come
 * next, then putRecordTail.
 *
 * @param local The function's index in the functions table (FunctionTable.localId).
 * @param state RETURNED, THREW or UNFINISHED (its elapsed is not written).
 * @param descendants Calls in its subtree, itself excluded.
 * @param start µs from its parent's start (a root: the trace's), whole.
 * @param elapsed µs, whole.
 * @param dropped Calls left out under it; -1: none said (0 is still written).
 * @param droppedBelow Calls left out under its descendants.
 * @param awaited µs of its time spent suspended, at most `elapsed` (0: none).
 */
export function putRecordHead(
  buf: Uint8Array,
  pos: number,
  local: number,
  state: CallState,
  descendants: number,
  start: number,
  elapsed: number,
  dropped: number,
  droppedBelow: number,
  awaited: number,
): number {
  pos = local < 0x80 ? (buf[pos] = local, pos + 1) : putVarint(buf, pos, local);
  buf[pos++] = state | (dropped >= 0 ? HAS_DROPPED : 0) |
    (droppedBelow > 0 ? HAS_DROPPED_BELOW : 0) |
    (awaited > 0 ? HAS_AWAITED : 0);
  pos = descendants < 0x80 ? (buf[pos] = descendants, pos + 1) : putVarint(buf, pos, descendants);
  pos = putVarint(buf, pos, zigzag(start));
  if (state !== UNFINISHED) pos = putVarint(buf, pos, elapsed);
  return pos;
}

/** The end of a record, after its values: the counts its flags (putRecordHead) announced. */
export function putRecordTail(
  out: RunSink,
  dropped: number,
  droppedBelow: number,
  awaited: number,
): void {
  if (dropped >= 0) out.varint(dropped);
  if (droppedBelow > 0) out.varint(droppedBelow);
  if (awaited > 0) out.varint(awaited);
}
