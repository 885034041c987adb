// The run written at the program's end as the tape holds it (issue 49's "write as recorded"): the
// typed columns as their bytes, the values as tags, the strings and texts joined, the functions and
// the meta as JSON. No tree is linked and no record is made while the program's process ends;
// the run file (run_file/format.ts) is made from it when the run is first read (convertRawRun),
// by the same writer (run_writer.ts, TapeCalls) over a tape rebuilt from it: the same bytes as a
// run written at the end directly.
//
// The raw file keeps the run file's envelope, so that what reads only a run's meta (addMeta, which
// adds how the program ended) reads it as it is:
//
//   "TPHRUN\0" RAW_FORMAT               8 bytes
//   the typed columns of rows [0, rows)  each from a multiple of 8 bytes: fn, parent, start, end,
//                                        marks, state, then argsAt, awaited, slot, prev where
//                                        the tape wrote them (the header says)
//   the value columns' codes             a0's rows, result's, then rest's first restLen (int32s,
//                                        tape.ts codeOf: a chunk at a time, as the tape holds them)
//   the tape's others                    the values codes refer to (Tape.others), one after another
//   the texts' columns                   per chunk: where each text ends (i32), whether cut (u8)
//   three blobs                          the texts, the kept strings, the loose strings: each its
//                                        lengths (i32), then u32 LE bytes and the bytes
//   the header                           JSON (RawHeader), where a run file's skip index is
//   "[]"                                 a run file's functions (the header has them)
//   the meta, the trailer                as a run file's (format.ts): the trailer's first offset
//                                        is the header's
//
// One of the others is a tag byte: undefined, null, true, false; a whole number (zigzag varint); a
// number (8 bytes); a string, a text (a snapshot's or a repr's) by varint index into the loose
// strings; a list (varint count, then its values). Strings are kept exactly: each blob is UTF-8,
// or the JSON of the blob where it holds a lone surrogate, with its strings' lengths in UTF-16
// units.

import { FileWriter } from "../../platform/files.ts";
import {
  arrayJoin,
  bytesSub,
  floor,
  max,
  min,
  ownArray,
  parseJSON,
  plainJSON,
  SafeMap,
  stringify,
  strSlice,
  typedBuffer,
  typedByteOffset,
  typedSet,
  utf8,
  wellFormed,
} from "../../platform/intrinsics.ts";
import {
  Array,
  DataView,
  Float64Array,
  Int32Array,
  Map,
  TextDecoder,
  Uint8Array,
} from "../../platform/globals.ts";
import { RAW_FORMAT, RUN_MAGIC, TRAILER_BYTES, TRAILER_MAGIC } from "../../run_file/format.ts";
import type { FunctionEntry } from "../../run_file/format.ts";
import { runtime } from "./recorder.ts";
import { settleOpen } from "./details.ts";
import {
  callNode,
  eachRecordedRow,
  endedInTrace,
  functionEntry,
  scrubbedString,
  traceHeader,
} from "./to_json.ts";
import { repr } from "./repr.ts";
import { LOOKED_AT, SHORTEST_KNOWN } from "./redact.ts";
import { functionCount } from "./functions.ts";
import {
  C_FALSE,
  copyValues,
  HIDDEN,
  OTHERS,
  Tape,
  Texts,
  VALUE_BITS,
  VALUE_MASK,
  type ValueColumn,
} from "./tape.ts";
import { RunSink, zigzag } from "../../run_file/encode_sink.ts";
import type { TraceState } from "./trace_state.ts";
import { sentBy } from "./sent_spans.ts";
import { TapeCalls } from "./run_writer.ts";
import { encodeRun } from "../../run_file/encode.ts";

export { RAW_FORMAT };

const T_UNDEFINED = 0, T_NULL = 1, T_TRUE = 2, T_FALSE = 3, T_WHOLE = 4, T_NUMBER = 5;
const T_STRING = 6, T_TEXT = 7, T_LIST = 8;

/** More function ids than a process gives out: a raw run with one is damaged. */
const FUNCTION_IDS = 1 << 26;

/** What the header of a raw run holds. */
interface RawHeader {
  /** Kept strings that held a secret: each with the loose string it is written as. */
  scrubbedKept: [number, number][];
  rows: number;
  base: number;
  firstRow: number;
  endRow: number;
  endTime: number;
  slot: number;
  wrapper: number;
  startTime: number;
  maxRepr: number;
  restLen: number;
  /** Values in the tape's others (Tape.others). */
  others: number;
  /** Which optional columns follow (Tape: prevWritten, awaitedWritten, argsWritten, slotted). */
  prev: boolean;
  awaited: boolean;
  args: boolean;
  slotted: boolean;
  functions: [number, FunctionEntry][];
  dropped: [number, number][];
  /** Texts (Tape.texts): per chunk, its first text's index and its texts' count. */
  textChunks: [number, number][];
  strings: number;
  loose: number;
  /** Per blob (texts, kept strings, loose strings): whether it is the JSON of the joined strings. */
  json: boolean[];
}

/** The run sink, with what a raw run writes besides: single bytes, a u32, typed columns. */
class RawOut extends RunSink {
  u8(v: number): void {
    this.room();
    this.buf[this.pos++] = v;
  }
  /** An unsigned 32-bit integer, little-endian. */
  u32(v: number): void {
    this.room();
    const buf = this.buf;
    buf[this.pos++] = v & 0xff;
    buf[this.pos++] = (v >>> 8) & 0xff;
    buf[this.pos++] = (v >>> 16) & 0xff;
    buf[this.pos++] = v >>> 24;
  }
  /** Zeros up to a multiple of 8 bytes from the file's start. */
  align(): void {
    for (let at = this.offset; at % 8 !== 0; at++) this.u8(0);
  }
  /** The first `n` values of a typed column of `size` bytes a value, as their bytes. */
  column(a: Int32Array | Float64Array | Uint8Array, size: number, n: number): void {
    this.align();
    // The built-in getters: the program may have replaced TypedArray.prototype's.
    const at = typedByteOffset(a as Float64Array);
    this.bytes(new Uint8Array(typedBuffer(a as Float64Array), at, n * size));
  }
}

const isArray = Array.isArray;

/**
 * Whether trace `t`'s run can be written raw: not one whose write needs more than its tape (the
 * calls a find matched, what its requests sent on, the ordinals of rows asked for).
 */
export function rawWritable(t: TraceState, rows: Map<number, number> | null): boolean {
  return (rows === null || rows.size === 0) && t.finder === null && sentBy(t) === undefined;
}

/** The strings values refer to by index (the loose strings of a raw run), as they are added. */
class Loose {
  readonly list: string[] = ownArray([]);
  add(s: string): number {
    const k = this.list.length;
    this.list[k] = s;
    return k;
  }
}

/**
 * Write trace `t` as a raw run (see the top of this file) to `path`; `extra` as writeTraceRun's
 * (asked once the calls are written).
 */
export function writeRawRun(
  t: TraceState,
  label: string | null,
  path: string,
  extra: Record<string, unknown> | (() => Record<string, unknown>),
): void {
  const tp = t.tape;
  const rows = t.endRow >= 0 ? t.endRow : tp.rows;
  // The objects kept by calls that had not ended, summarised now (as callLinks would).
  settleOpen(t, rows);
  const scrubs = t.scrubs;
  // As ValueTable's: strings shorter than any secret are not scanned.
  const scanFrom = scrubs === null ? Infinity : scrubs.values !== null ? 0 : SHORTEST_KNOWN;
  const loose = new Loose();
  const file = new FileWriter(path);
  try {
    const out = new RawOut(file);
    out.bytes(bytesSub(RUN_MAGIC, 0, 7));
    out.u8(RAW_FORMAT);
    out.column(tp.fn, 4, rows);
    out.column(tp.parent, 4, rows);
    out.column(tp.start, 8, rows);
    out.column(tp.end, 8, rows);
    out.column(tp.marks, 4, rows);
    out.column(tp.state, 1, rows);
    if (tp.argsWritten) out.column(tp.argsAt, 4, rows);
    if (tp.awaitedWritten) out.column(tp.awaited, 8, rows);
    if (tp.slotted) out.column(tp.slot, 4, rows);
    if (tp.prevWritten) out.column(tp.prev, 8, rows);
    const value = valueOut(t, out, loose, scanFrom);
    writeCodes(out, tp.a0, rows);
    writeCodes(out, tp.result, rows);
    writeCodes(out, tp.rest, tp.restLen);
    const others = tp.others;
    for (let k = 0; k < tp.othersLen; k++) value(others[k]);
    const scrubbedKept = keptStrings(t, loose, scanFrom);
    const textChunks = writeTexts(out, tp.texts);
    const json = [
      writeBlob(out, textChunks.parts),
      // A kept string that held a secret is written as its text alone: never as it was passed.
      writeBlob(
        out,
        scrubbedKept.length === 0 ? tp.strings : withoutSecrets(tp.strings, scrubbedKept),
      ),
      writeBlob(out, loose.list),
    ];
    const header: RawHeader = {
      rows,
      base: tp.base,
      firstRow: t.firstRow,
      endRow: t.endRow,
      endTime: t.endTime,
      slot: t.slot,
      wrapper: t.wrapper,
      startTime: t.startTime,
      maxRepr: t.maxRepr,
      restLen: tp.restLen,
      others: tp.othersLen,
      prev: tp.prevWritten,
      awaited: tp.awaitedWritten,
      args: tp.argsWritten,
      slotted: tp.slotted,
      functions: functionsOf(tp, rows),
      dropped: droppedOf(t),
      textChunks: textChunks.chunks,
      strings: tp.strings.length,
      loose: loose.list.length,
      json,
      scrubbedKept,
    };
    // After the values: the meta counts what settling summarised.
    const meta = {
      ...traceHeader(t, label, true),
      ...(typeof extra === "function" ? extra() : extra),
    };
    // The run file's envelope: the header where a run file's skip index is, no functions (the
    // header has them), the meta, the trailer.
    const headerAt = out.offset;
    out.bytes(utf8(plainJSON(header)));
    const functionsAt = out.offset;
    out.bytes(utf8("[]"));
    const metaAt = out.offset;
    out.bytes(utf8(plainJSON(meta)));
    out.f64(headerAt);
    out.f64(functionsAt);
    out.f64(metaAt);
    out.bytes(utf8(TRAILER_MAGIC));
    out.flush();
  } finally {
    file.close();
  }
}

/** Writes one value as its tag (see the top of this file); strings scanned for secrets. */
function valueOut(
  t: TraceState,
  out: RawOut,
  loose: Loose,
  scanFrom: number,
): (v: unknown) => void {
  const maxRepr = t.maxRepr;
  const value = (v: unknown): void => {
    if (v === undefined) out.u8(T_UNDEFINED);
    else if (typeof v === "number") {
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        out.u8(T_WHOLE);
        out.varint(zigzag(v));
      } else {
        out.u8(T_NUMBER);
        out.f64(v);
      }
    } else if (typeof v === "string") {
      // As the run writer's value writer: a string holding a secret is written as its text.
      const scrubbed = v.length < scanFrom ? null : scrubbedString(t, v);
      out.u8(scrubbed === null ? T_STRING : T_TEXT);
      out.varint(loose.add(scrubbed ?? v));
    } else if (v === null) out.u8(T_NULL);
    else if (v === true) out.u8(T_TRUE);
    else if (v === false) out.u8(T_FALSE);
    else if (isArray(v)) {
      // An argument list (tape.ts, argList).
      out.u8(T_LIST);
      out.varint(v.length);
      for (let i = 0; i < v.length; i++) value(v[i]);
    } else {
      // A snapshot (an object's repr), else a function, bigint or symbol as the writer shows it.
      out.u8(T_TEXT);
      out.varint(
        loose.add(typeof v === "object" ? (v as { text: string }).text : repr(v, maxRepr)),
      );
    }
  };
  return value;
}

/** Writes the codes of rows [0, n) of a value column (tape.ts, codeOf), a chunk at a time. */
function writeCodes(out: RawOut, col: ValueColumn, n: number): void {
  for (let c = 0, r = 0; r < n; c++) {
    const m = min(VALUE_MASK + 1, n - r);
    out.column(col[c], 4, m);
    r += m;
  }
}

/**
 * The kept strings (Tape.strings) scanned for secrets as the values table scans them: each that
 * holds one, with the loose string of the text it is written as.
 */
function keptStrings(t: TraceState, loose: Loose, scanFrom: number): [number, number][] {
  const strings = t.tape.strings, scrubbed: [number, number][] = ownArray([]);
  if (scanFrom === Infinity) return scrubbed;
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    const text = s.length < scanFrom ? null : scrubbedString(t, s);
    if (text !== null) scrubbed[scrubbed.length] = [i, loose.add(text)];
  }
  return scrubbed;
}

/** Kept strings `strings` with each of `scrubbed` (keptStrings) made empty: its text is in the header. */
function withoutSecrets(strings: string[], scrubbed: [number, number][]): string[] {
  const copy: string[] = ownArray([]);
  for (let i = 0; i < strings.length; i++) copy[i] = strings[i];
  for (let j = 0; j < scrubbed.length; j++) copy[scrubbed[j][0]] = "";
  return copy;
}

/**
 * Writes the texts' columns (Tape.texts: where each ends, whether it was cut), a chunk at a time:
 * the sealed chunks as they are, the batch being filled as one chunk more. Returns the chunks'
 * first texts and counts, and their joined texts (written as a blob after).
 */
function writeTexts(out: RawOut, texts: Texts): { chunks: [number, number][]; parts: string[] } {
  const chunks: [number, number][] = ownArray([]), parts: string[] = ownArray([]);
  let sealed = 0;
  for (let c = 0; c < texts.chunks.length; c++) {
    const n = texts.ends[c].length;
    chunks[c] = [texts.firsts[c], n];
    parts[c] = texts.chunks[c];
    out.column(texts.ends[c], 4, n);
    out.column(texts.cuts[c], 1, n);
    sealed = texts.firsts[c] + n;
  }
  if (sealed < texts.count) {
    const n = texts.count - sealed, batch: string[] = ownArray([]);
    const ends = new Int32Array(n), cuts = new Uint8Array(n);
    let end = 0;
    for (let k = 0; k < n; k++) {
      texts.locate(sealed + k);
      batch[k] = strSlice(texts.text, texts.from, texts.to);
      end += batch[k].length;
      ends[k] = end;
      cuts[k] = texts.cut ? 1 : 0;
    }
    chunks[chunks.length] = [sealed, n];
    parts[parts.length] = arrayJoin(batch, "");
    out.column(ends, 4, n);
    out.column(cuts, 1, n);
  }
  return { chunks, parts };
}

/**
 * Writes strings as a blob: their lengths (UTF-16 units), then the UTF-8 of them joined, or of the
 * JSON of them joined where they hold a lone surrogate (which UTF-8 cannot); returns which.
 */
function writeBlob(out: RawOut, parts: string[]): boolean {
  const lengths = new Int32Array(parts.length);
  for (let i = 0; i < parts.length; i++) lengths[i] = parts[i].length;
  out.column(lengths, 4, parts.length);
  let s = arrayJoin(parts, "");
  const json = !wellFormed(s);
  if (json) s = stringify(s);
  const b = utf8(s);
  out.align();
  out.u32(b.length);
  out.bytes(b);
  return json;
}

/**
 * The functions of rows [0, rows) by their number, as the run file's table names them, and maybe
 * more (the converter asks only for its rows'): those the traces' redactions looked at, where
 * every trace of the tape has one, else those of the rows.
 */
function functionsOf(tp: Tape<TraceState>, rows: number): [number, FunctionEntry][] {
  const rt = runtime(),
    seen = lookedAt(tp) ?? inRows(tp, rows),
    n = min(seen.length, functionCount());
  const functions: [number, FunctionEntry][] = ownArray([]);
  for (let id = 0; id < n; id++) {
    if (seen[id] !== 0) functions[functions.length] = [id, functionEntry(rt.fn(id))];
  }
  return functions;
}

/**
 * The functions the redactions of tape `tp`'s traces looked at (their `fns`, LOOKED_AT): every
 * recorded call's, whose function is looked at before its row is made (recorder.ts, begin; nested
 * records none whose function was not) — no loop over the rows. Null where a trace records
 * without redaction.
 */
function lookedAt(tp: Tape<TraceState>): Uint8Array | null {
  let seen = new Uint8Array(0);
  const traces = tp.traces;
  for (let i = 0; i < traces.length; i++) {
    const t = traces[i];
    if (t === undefined) continue;
    const rd = t.redaction;
    if (rd === null) return null;
    const fns = rd.fns;
    if (fns.length > seen.length) {
      const more = new Uint8Array(fns.length);
      typedSet(more, seen, 0);
      seen = more;
    }
    for (let id = 0; id < fns.length; id++) if ((fns[id] & LOOKED_AT) !== 0) seen[id] = 1;
  }
  return seen;
}

/** The functions of rows [0, rows), marked by id. */
function inRows(tp: Tape<TraceState>, rows: number): Uint8Array {
  const fnCol = tp.fn;
  let seen = new Uint8Array(1024);
  for (let r = 0; r < rows; r++) {
    const id = fnCol[r];
    if (id >= seen.length) {
      const more = new Uint8Array(max(id + 1, seen.length * 2));
      typedSet(more, seen, 0);
      seen = more;
    }
    seen[id] = 1;
  }
  return seen;
}

/** Trace `t`'s calls left out, by row (TraceState.dropped). */
function droppedOf(t: TraceState): [number, number][] {
  const dropped: [number, number][] = ownArray([]);
  t.dropped.forEach((n, row) => {
    dropped[dropped.length] = [row, n];
  });
  return dropped;
}

/** A raw run's bytes being read: where, and its checks. */
class RawIn {
  readonly raw: Uint8Array;
  readonly view: DataView;
  /** Where the sections end (the header starts). */
  readonly end: number;
  readonly fail: (why: string) => Error;
  at = RUN_MAGIC.length;
  constructor(raw: Uint8Array, end: number, fail: (why: string) => Error) {
    this.raw = raw;
    this.view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    this.end = end;
    this.fail = fail;
  }
  align(): void {
    this.at = (this.at + 7) & ~7;
  }
  /** A typed column of `n` values (a view of the bytes: copied by the caller). */
  column<A extends Int32Array | Float64Array | Uint8Array>(
    make: new (b: ArrayBufferLike, o: number, n: number) => A,
    bytes: number,
    n: number,
  ): A {
    this.align();
    if (this.at + n * bytes > this.end) throw this.fail("a column runs past its end");
    const a = new make(this.raw.buffer, this.raw.byteOffset + this.at, n);
    this.at += n * bytes;
    return a;
  }
  varint(): number {
    const raw = this.raw;
    let v = 0, scale = 1, b;
    do {
      if (this.at >= this.end) throw this.fail("a value runs past its end");
      b = raw[this.at++];
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b >= 0x80);
    return v;
  }
  /** A blob (writeBlob): its `count` strings. */
  blob(count: number, json: boolean): string[] {
    const lengths = this.column(Int32Array, 4, count);
    this.align();
    if (this.at + 4 > this.end) throw this.fail("its strings run past their end");
    const n = this.view.getUint32(this.at, true);
    this.at += 4;
    if (this.at + n > this.end) throw this.fail("its strings run past their end");
    let s = new TextDecoder().decode(this.raw.subarray(this.at, this.at + n));
    this.at += n;
    if (json) s = parseJSON(s);
    const parts: string[] = [];
    let from = 0;
    for (let i = 0; i < count; i++) {
      parts[i] = strSlice(s, from, from + lengths[i]);
      from += lengths[i];
    }
    return parts;
  }
}

/** A reference from a value to a loose string (filled in once the strings are read). */
interface LooseRef {
  into: unknown[];
  i: number;
  k: number;
  text: boolean;
}

/** Reads one value (see valueOut) into `into[i]`, a string's by a reference filled in after. */
function readValue(r: RawIn, into: unknown[], i: number, refs: LooseRef[]): void {
  if (r.at >= r.end) throw r.fail("a value runs past its end");
  const tag = r.raw[r.at++];
  let v: unknown;
  switch (tag) {
    case T_UNDEFINED:
      v = undefined;
      break;
    case T_NULL:
      v = null;
      break;
    case T_TRUE:
      v = true;
      break;
    case T_FALSE:
      v = false;
      break;
    case T_WHOLE: {
      const z = r.varint();
      v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      break;
    }
    case T_NUMBER:
      if (r.at + 8 > r.end) throw r.fail("a value runs past its end");
      v = r.view.getFloat64(r.at, true);
      r.at += 8;
      break;
    case T_STRING:
    case T_TEXT:
      refs[refs.length] = { into, i, k: r.varint(), text: tag === T_TEXT };
      break;
    case T_LIST: {
      const n = r.varint(), list: unknown[] = [];
      if (n > r.end - r.at) throw r.fail("a list runs past its end");
      for (let j = 0; j < n; j++) readValue(r, list, j, refs);
      v = list;
      break;
    }
    default:
      throw r.fail(`unknown value tag ${tag}`);
  }
  into[i] = v;
}

/** A value column of `rows` rows read back (writeCodes), in chunks as the tape holds them. */
function readCodes(r: RawIn, col: ValueColumn, rows: number, others: number): void {
  const size = VALUE_MASK + 1;
  for (let c = 0, row = 0; row < rows; c++) {
    const m = min(size, rows - row);
    // A view of the bytes (see readColumns): only its first m rows are read.
    const codes = col[c] = r.column(Int32Array, 4, m);
    // Each a code codeOf gives: a value of the others written, not past them.
    for (let i = 0; i < m; i++) {
      const code = codes[i];
      if (code < C_FALSE || code - OTHERS >= others) throw r.fail("a value refers to nothing");
    }
    row += m;
  }
}

/** A raw run's header and meta, checked against its size (see the top of this file). */
function readHeader(
  raw: Uint8Array,
  fail: (why: string) => Error,
): { h: RawHeader; meta: Record<string, unknown>; headerAt: number } {
  const size = raw.length;
  if (size < RUN_MAGIC.length + TRAILER_BYTES) throw fail("truncated");
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const trailerAt = size - TRAILER_BYTES;
  const headerAt = view.getFloat64(trailerAt, true);
  const functionsAt = view.getFloat64(trailerAt + 8, true);
  const metaAt = view.getFloat64(trailerAt + 16, true);
  if (
    !(RUN_MAGIC.length <= headerAt && headerAt < functionsAt && functionsAt < metaAt &&
      metaAt < trailerAt)
  ) {
    throw fail("its trailer does not add up");
  }
  const text = new TextDecoder();
  const h = parseJSON(text.decode(raw.subarray(headerAt, functionsAt))) as RawHeader;
  const meta = parseJSON(text.decode(raw.subarray(metaAt, trailerAt)));
  // Every count is checked against the file before anything is sized by it.
  const count = (n: unknown, most: number) => {
    if (typeof n !== "number" || !(n >= 0 && n <= most && floor(n) === n)) {
      throw fail("its header does not add up");
    }
  };
  count(h.rows, headerAt / 29);
  count(h.restLen, headerAt);
  count(h.others, headerAt);
  count(h.strings, headerAt / 4);
  count(h.loose, headerAt / 4);
  count(h.base, 2 ** 53);
  if (
    !isArray(h.textChunks) || !isArray(h.functions) || !isArray(h.dropped) ||
    !isArray(h.json) || !isArray(h.scrubbedKept) || meta === null || typeof meta !== "object"
  ) {
    throw fail("its header does not add up");
  }
  for (const c of h.textChunks) count(isArray(c) ? c[1] : -1, headerAt / 5);
  return { h, meta, headerAt };
}

/** The tape of a raw run, its typed columns read (the values and strings come after). */
function readColumns(r: RawIn, h: RawHeader): Tape<TraceState> {
  const rows = h.rows;
  // The columns written are views of the bytes, not copies (each page of a copy first written
  // costs a fault: ~25 MB of them for marked every call); those not written stay the tape's zeros.
  const tp = new Tape<TraceState>(h.base, max(rows, 1));
  tp.fn = r.column(Int32Array, 4, rows);
  tp.parent = r.column(Int32Array, 4, rows);
  tp.start = r.column(Float64Array, 8, rows);
  tp.end = r.column(Float64Array, 8, rows);
  tp.marks = r.column(Int32Array, 4, rows);
  tp.state = r.column(Uint8Array, 1, rows);
  if (h.args) tp.argsAt = r.column(Int32Array, 4, rows);
  if (h.awaited) tp.awaited = r.column(Float64Array, 8, rows);
  if (h.slotted) tp.slot = r.column(Int32Array, 4, rows);
  if (h.prev) tp.prev = r.column(Float64Array, 8, rows);
  // Each call's parent comes before it (the writer's walk relies on it: a loop of parents would
  // never end), and each row's state is one the tape writes.
  const parents = tp.parent, states = tp.state;
  for (let row = 0; row < rows; row++) {
    if (parents[row] < -1 || parents[row] >= row || states[row] > 3) {
      throw r.fail("its calls do not add up");
    }
  }
  tp.rows = rows;
  tp.argsWritten = h.args;
  tp.awaitedWritten = h.awaited;
  tp.slotted = h.slotted;
  tp.prevWritten = h.prev;
  r.align();
  return tp;
}

/**
 * Make a run file (run_file/format.ts) from a raw run's bytes: the tape rebuilt, written by the
 * run writer as at the program's end (the same bytes).
 *
 * @param raw The raw run's bytes.
 * @param path Where the run file goes.
 * @param fail Makes the error for a raw run that does not add up.
 */
export function convertRawRun(raw: Uint8Array, path: string, fail: (why: string) => Error): void {
  const { t, meta, entries } = readRawRun(raw, fail);
  const file = new FileWriter(path);
  try {
    encodeRun(new TapeCalls(t, null, {}, null, { meta, entries }), file);
  } finally {
    file.close();
  }
}

// What `tph lsp` takes to show a raw run without making it a run file (read_runs.ts, rawReader):
// the rows a run file holds, and a call's node made as the JSON run makes it.
export { callNode, eachRecordedRow, endedInTrace };

/** A raw run read back: its trace (on a tape rebuilt), its meta, its functions by id. */
export interface RawRead {
  t: TraceState;
  meta: Record<string, unknown>;
  entries: Map<number, FunctionEntry>;
}

/**
 * Read a raw run's bytes back: the tape rebuilt as the trace had it (its columns views of the
 * bytes), checked as convertRawRun checks it.
 *
 * @param raw The raw run's bytes.
 * @param fail Makes the error for a raw run that does not add up.
 */
export function readRawRun(raw: Uint8Array, fail: (why: string) => Error): RawRead {
  // The columns are read as views of the bytes: from a buffer's start (a multiple of 8).
  if (raw.byteOffset % 8 !== 0) raw = new Uint8Array(raw);
  const { h, meta, headerAt } = readHeader(raw, fail);
  const r = new RawIn(raw, headerAt, fail);
  const tp = readColumns(r, h);
  const refs: LooseRef[] = [];
  readCodes(r, tp.a0, h.rows, h.others);
  readCodes(r, tp.result, h.rows, h.others);
  readCodes(r, tp.rest, h.restLen, h.others);
  const others = copyValues([], max(h.others, 1), 0);
  for (let k = 0; k < h.others; k++) readValue(r, others, k, refs);
  tp.others = others;
  tp.othersLen = h.others;
  tp.restLen = h.restLen;
  tp.restRoom = tp.rest.length << VALUE_BITS;
  const ends: Int32Array[] = [], cuts: Uint8Array[] = [];
  for (const [, n] of h.textChunks) {
    ends[ends.length] = new Int32Array(r.column(Int32Array, 4, n));
    cuts[cuts.length] = new Uint8Array(r.column(Uint8Array, 1, n));
  }
  const textParts = r.blob(h.textChunks.length, h.json[0] === true);
  const kept = r.blob(h.strings, h.json[1] === true);
  const loose = r.blob(h.loose, h.json[2] === true);
  const texts: Texts = tp.texts;
  for (let c = 0; c < h.textChunks.length; c++) {
    texts.chunks[c] = textParts[c];
    texts.firsts[c] = h.textChunks[c][0];
    texts.ends[c] = ends[c];
    texts.cuts[c] = cuts[c];
    texts.count = h.textChunks[c][0] + h.textChunks[c][1];
  }
  // Kept strings that held a secret are written as their texts (ValueTable.write).
  const strings = tp.strings as unknown[];
  for (let i = 0; i < kept.length; i++) strings[i] = kept[i];
  for (const [i, k] of h.scrubbedKept) strings[i] = { text: loose[k] };
  for (const ref of refs) {
    const s = loose[ref.k];
    if (s === undefined) throw fail("a value refers to no string");
    ref.into[ref.i] = ref.text ? { text: s } : s;
  }
  const dropped = new SafeMap<number, number>();
  for (const [row, n] of h.dropped) dropped.set(row, n);
  // What the run writer reads of a trace (TapeCalls, callLinks), as the trace had it.
  const t = {
    tape: tp,
    firstRow: h.firstRow,
    endRow: h.endRow,
    endTime: h.endTime,
    slot: h.slot,
    wrapper: h.wrapper,
    startTime: h.startTime,
    maxRepr: h.maxRepr,
    scrubs: null,
    dropped,
  } as unknown as TraceState;
  tp.traces[h.slot] = t;
  // Each call written has its function's entry (the writer's table may hold more: functionsOf).
  const entries = new SafeMap<number, FunctionEntry>();
  let most = -1;
  for (const [id, e] of h.functions) {
    if (!(typeof id === "number" && id >= 0 && id < FUNCTION_IDS && floor(id) === id)) {
      throw fail("its functions do not add up");
    }
    entries.set(id, e);
    if (id > most) most = id;
  }
  const known = new Uint8Array(most + 1);
  entries.forEach((_, id) => known[id] = 1);
  const fns = tp.fn, states = tp.state;
  for (let row = 0; row < h.rows; row++) {
    const id = fns[row];
    if (states[row] !== HIDDEN && !(id >= 0 && id <= most && known[id] === 1)) {
      throw fail("a call's function is not in its table");
    }
  }
  return { t, meta, entries };
}
