// Writing a trace in the run file format (run_file/format.ts), streaming from the tape: one pass
// over the calls depth first, each record straight into one reused buffer, as writeTraceJSON does.

import { FileWriter } from "../../platform/files.ts";
import {
  bytesCopyWithin,
  bytesSet,
  bytesSub,
  charCodeAt,
  charCodeAtIntact,
  floor,
  max,
  plainJSON,
  regexExec,
  round,
  SafeMap,
  stringify,
  strSlice,
  utf8,
  utf8Into,
  wellFormed,
} from "../../platform/intrinsics.ts";
import { Sink } from "../../run_file/json_sink.ts";
import { type Runtime, runtime } from "./recorder.ts";
import {
  type FunctionEntry,
  HAS_AWAITED,
  HAS_DROPPED,
  HAS_DROPPED_BELOW,
  RUN_MAGIC,
  SKIP_MIN,
  TRAILER_MAGIC,
} from "../../run_file/format.ts";
import { FN_EXTERNAL, RETURNED, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import { MARKED_ARGS, RET_TEXT, type Texts } from "./tape.ts";
import {
  awaitedUs,
  type CallLinks,
  callLinks,
  functionEntry,
  storedValue,
  traceHeader,
} from "./to_json.ts";
import { reprLimit } from "./repr.ts";
import type { TraceState } from "./trace_state.ts";
import { Map, String, Uint8Array } from "../../platform/globals.ts";

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
/** The longest max_repr RunSink.stringRepr handles (its tag takes two bytes at most). */
const MAX_DIRECT = 3000;
/** The second byte of `\b`, `\t`… by control character, 0 for those written `\u00XX`. */
const SHORT_ESCAPES = new Uint8Array(32);
SHORT_ESCAPES[8] = 0x62;
SHORT_ESCAPES[9] = 0x74;
SHORT_ESCAPES[10] = 0x6e;
SHORT_ESCAPES[12] = 0x66;
SHORT_ESCAPES[13] = 0x72;
const HEX_DIGITS = utf8("0123456789abcdef");
/** A text value's tag and UTF-8 bytes. */
const taggedText = (s: string): Uint8Array => {
  const b = utf8(s);
  return new Uint8Array([b.length * 4, ...b]);
};
const UNDEFINED = taggedText("undefined");
const ELLIPSIS = utf8("…");
const TRUE = taggedText("true");
const FALSE = taggedText("false");
const NULL = taggedText("null");

/** A Sink that also writes the run format's varints and values. */
export class RunSink extends Sink {
  /**
   * Whether String.prototype still holds the built-in charCodeAt, checked once per file: no
   * program code runs while a run is written (see child.ts).
   */
  readonly direct: boolean = charCodeAtIntact();

  /** An unsigned integer below 2^53, LEB128 (room for 8 bytes is made). */
  varint(v: number): void {
    this.room();
    if (v < 0x80) this.buf[this.pos++] = v;
    else this.pos = putVarint(this.buf, this.pos, v);
  }

  /** A whole-number value (the JSON's `"n"`). */
  wholeValue(n: number): void {
    this.varint(zigzag(n) * 2 + 1);
  }

  /** A text with a lone surrogate, as its JSON literal (the JSON keeps those as escapes). */
  #jsonText(s: string, from: number, to: number, cut: boolean): void {
    const json = utf8(strSlice(stringify(strSlice(s, from, to) + (cut ? "…" : "")), 1, -1));
    this.varint(json.length * 4 + 2);
    this.bytes(json);
  }

  /** A text value of ASCII bytes: `bytes[from..to)`, and "…" when `cut`. */
  asciiText(bytes: Uint8Array, from: number, to: number, cut: boolean): void {
    const n = to - from;
    const size = cut ? n + 3 : n;
    if (!this.reserve(n + 11)) {
      this.varint(size * 4);
      this.bytes(bytesSub(bytes, from, to));
      if (cut) this.bytes(ELLIPSIS);
      return;
    }
    const buf = this.buf;
    let pos = putVarint(buf, this.pos, size * 4);
    if (n <= 64) { for (let k = from; k < to; k++) buf[pos++] = bytes[k]; }
    else {
      bytesSet(buf, bytesSub(bytes, from, to), pos);
      pos += n;
    }
    this.pos = cut ? putEllipsis(buf, pos) : pos;
  }

  /** A text value: `s.slice(from, to)`, and "…" when `cut`. */
  textValue(s: string, from: number, to: number, cut = false): void {
    const units = to - from;
    if (!this.reserve(units * 3 + 11)) {
      const part = strSlice(s, from, to);
      if (!wellFormed(part)) return this.#jsonText(s, from, to, cut);
      const bytes = utf8(cut ? part + "…" : part);
      this.varint(bytes.length * 4);
      this.bytes(bytes);
      return;
    }
    const buf = this.buf;
    const start = this.pos + 1;
    let pos = start;
    let i = from;
    // Encoded as it is read (room for 3 bytes a unit is made): most texts are ASCII, and most of
    // the rest hold one "…" (a summary, `Token {…}`), for which a slice and the encoder cost
    // 1–3 µs a text on Bun. A lone surrogate is written as its JSON literal instead.
    if (this.direct) {
      for (; i < to; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80) buf[pos++] = c;
        else if (c < 0x800) {
          buf[pos++] = 0xc0 | (c >> 6);
          buf[pos++] = 0x80 | (c & 0x3f);
        } else if (c < 0xd800 || c >= 0xe000) {
          buf[pos++] = 0xe0 | (c >> 12);
          buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
          buf[pos++] = 0x80 | (c & 0x3f);
        } else {
          const d = c < 0xdc00 && i + 1 < to ? s.charCodeAt(i + 1) : 0;
          if (d < 0xdc00 || d >= 0xe000) return this.#jsonText(s, from, to, cut);
          const p = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[pos++] = 0xf0 | (p >> 18);
          buf[pos++] = 0x80 | ((p >> 12) & 0x3f);
          buf[pos++] = 0x80 | ((p >> 6) & 0x3f);
          buf[pos++] = 0x80 | (p & 0x3f);
          i++;
        }
      }
    } else {
      // The program replaced String.prototype.charCodeAt: ASCII copied through the captured
      // one, the rest from the first other character through the encoder, checked first for a
      // lone surrogate (which the ASCII before it cannot hold half of).
      for (; i < to; i++) {
        const c = charCodeAt(s, i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
    }
    if (i < to) {
      const rest = strSlice(s, i, to);
      // Nothing is written yet (`pos` is not stored): the literal goes where the text would.
      if (!wellFormed(rest)) return this.#jsonText(s, from, to, cut);
      pos += utf8Into(rest, bytesSub(buf, pos));
    }
    if (cut) pos = putEllipsis(buf, pos);
    const tag = (pos - start) * 4;
    if (tag < 0x80) {
      buf[start - 1] = tag;
      this.pos = pos;
      return;
    }
    // A longer tag takes more bytes: the text moves right to make room (within what reserve()
    // made room for: no flush may come between the tag and its text).
    let tagBytes = 1;
    for (let t = tag; t >= 0x80; t = (t - (t % 0x80)) / 0x80) tagBytes++;
    bytesCopyWithin(buf, start - 1 + tagBytes, start, pos);
    let at = start - 1;
    let t = tag;
    for (; t >= 0x80; t = (t - (t % 0x80)) / 0x80) buf[at++] = (t % 0x80) | 0x80;
    buf[at] = t;
    this.pos = pos - 1 + tagBytes;
  }

  /**
   * A string value as repr(s, max) shows it, written straight from the string when it is ASCII
   * (escaped as JSON.stringify escapes; cut to `max` characters with "…" as repr cuts) and `max`
   * is at least 3 and at most MAX_DIRECT. Returns false, having written nothing, otherwise.
   */
  stringRepr(s: string, max: number): boolean {
    if (max < 3 || max > MAX_DIRECT) return false;
    const n = s.length;
    // Room for the tag's two bytes, `max` characters and an escape past them, or the cut.
    this.reserve(max + 16);
    const buf = this.buf;
    const direct = this.direct;
    // Most strings: shown whole, nothing to escape, the tag one byte (under 30 characters) or two.
    if (n + 2 <= max && direct) {
      const tag = (n + 2) * 4;
      let p = this.pos + (tag < 0x80 ? 1 : 2);
      buf[p++] = 0x22;
      let k = 0;
      for (; k < n; k++) {
        const c = s.charCodeAt(k);
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
        buf[p++] = c;
      }
      if (k === n) {
        buf[p++] = 0x22;
        putVarint(buf, this.pos, tag);
        this.pos = p;
        return true;
      }
    }
    const start = this.pos + 2;
    let pos = start;
    buf[pos++] = 0x22;
    let i = 0;
    // Written: pos - start characters, one byte each.
    while (i < n && pos - start < max) {
      const c = direct ? s.charCodeAt(i) : charCodeAt(s, i);
      i++;
      if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) buf[pos++] = c;
      else if (c >= 0x80) return false;
      else {
        buf[pos++] = 0x5c;
        const e = c < 0x20 ? SHORT_ESCAPES[c] : c;
        if (e !== 0) buf[pos++] = e;
        else {
          buf[pos++] = 0x75; // u00XX
          buf[pos++] = 0x30;
          buf[pos++] = 0x30;
          buf[pos++] = HEX_DIGITS[c >> 4];
          buf[pos++] = HEX_DIGITS[c & 15];
        }
      }
    }
    if (i === n && pos - start + 1 <= max) buf[pos++] = 0x22;
    // Cut: the first max - 1 characters and "…".
    else pos = putEllipsis(buf, start + max - 1);
    const tag = (pos - start) * 4;
    if (tag >= 0x80) {
      putVarint(buf, this.pos, tag);
      this.pos = pos;
      return true;
    }
    // A one-byte tag: the text moves one byte left.
    let at = this.pos;
    buf[at++] = tag;
    for (let k = start; k < pos; k++) buf[at++] = buf[k];
    this.pos = at;
    return true;
  }

  /** A value whose repr is fixed (`undefined`, `true`…), as a text value: its tag and bytes. */
  fixed(tagged: Uint8Array): void {
    this.room();
    const buf = this.buf;
    let pos = this.pos;
    for (let k = 0; k < tagged.length; k++) buf[pos++] = tagged[k];
    this.pos = pos;
  }

  /** A float64, little-endian (the byte order of every platform tph runs on). */
  f64(v: number): void {
    this.room();
    F64[0] = v;
    for (let k = 0; k < 8; k++) this.buf[this.pos++] = F64_BYTES[k];
  }

  /** The offset of the next byte in the file. */
  get offset(): number {
    return this.flushed + this.pos;
  }
}

/**
 * Write a trace as a run file (run_file/format.ts): the calls depth first, then the skip index, the
 * functions, the meta (the JSON's top-level fields but `trace`, plus `extra`) and the trailer.
 *
 * @param t The trace.
 * @param label Its label.
 * @param path The file.
 * @param extra More top-level fields, after the trace's own.
 */
export function writeTraceRun(
  t: TraceState,
  label: string | null,
  path: string,
  extra: Record<string, unknown> = {},
): void {
  const file = new FileWriter(path);
  const out = new RunSink(file);
  try {
    out.bytes(RUN_MAGIC);
    const links = callLinks(t);
    const counts = subtreeCounts(t, links);
    const functions = new FunctionTable(runtime());
    const record = callRecorder(t, out, links, counts, functions);
    const { ordinal, skips } = writeCalls(out, links, counts.below, record);
    const skipAt = out.offset;
    out.varint(ordinal);
    out.varint(skips.length / 2);
    for (let k = 0; k < skips.length; k++) out.varint(skips[k]);
    const functionsAt = out.offset;
    out.bytes(utf8(plainJSON(functions.entries)));
    const metaAt = out.offset;
    out.bytes(utf8(plainJSON({ ...traceHeader(t, label), ...extra })));
    out.f64(skipAt);
    out.f64(functionsAt);
    out.f64(metaAt);
    out.bytes(utf8(TRAILER_MAGIC));
    out.flush();
  } finally {
    file.close();
  }
}

/** Per call: its descendants, and the calls left out under them. */
interface SubtreeCounts {
  below: Int32Array;
  droppedBelow: Float64Array;
  /** Whether the trace left any call out (most runs do not: no lookup per call then). */
  anyDropped: boolean;
}

/**
 * Descendants: a parent comes before its children, so one backward pass adds them up. Calls left
 * out under its descendants, the same way.
 */
function subtreeCounts(t: TraceState, links: CallLinks): SubtreeCounts {
  const { n, rowOf, parent } = links;
  const dropped = t.dropped;
  const anyDropped = dropped.size > 0;
  const below = new Int32Array(n);
  const droppedBelow = new Float64Array(anyDropped ? n : 0);
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i];
    if (p < 0) continue;
    below[p] += below[i] + 1;
    if (anyDropped) droppedBelow[p] += droppedBelow[i] + (dropped.get(rowOf[i]) ?? 0);
  }
  return { below, droppedBelow, anyDropped };
}

/** The run's functions, by first use, and each one's index in it by the recorder's id. */
class FunctionTable {
  readonly entries: FunctionEntry[] = [];
  #localOf = new Int32Array(1024);
  /** Per function in the table: its parameters, or -1 for an external one (arguments counted). */
  paramCount = new Int32Array(1024);
  readonly #rt: Runtime;

  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  /** The index in the table of the recorder's function `id`, added on first use. */
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
      const entry = functionEntry(this.#rt.fn(id));
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

/** Strings this long or longer are written once and then copied (see valueWriter). */
const SAME_FROM = 16;
/** Strings remembered so (the map starts over when it holds this many). */
const MAX_SAME = 1 << 16;

/** Writes one value of a call (an argument, its return), as the run format stores it. */
function valueWriter(t: TraceState, out: RunSink): (v: unknown, isText: boolean) => void {
  const { tape: tp, maxRepr } = t;
  const text = (s: string, from: number, to: number) => out.textValue(s, from, to);
  const whole = (n: number) => out.wholeValue(n);
  const shown = reprLimit(maxRepr);
  const texts = tp.texts;
  const ascii = new AsciiChunks(texts);
  const written: Map<string, Uint8Array> = new SafeMap<string, Uint8Array>();
  return (v: unknown, isText: boolean): void => {
    if (isText) {
      texts.locate(v as number);
      const bytes = texts.chunk < 0 ? null : ascii.bytes(texts.chunk);
      if (bytes !== null) out.asciiText(bytes, texts.from, texts.to, texts.cut);
      else out.textValue(texts.text, texts.from, texts.to, texts.cut);
    } else if (typeof v === "string") {
      if (v.length < SAME_FROM) {
        if (!out.stringRepr(v, shown)) storedValue(tp, v, false, maxRepr, text, whole);
        return;
      }
      // Stored strings come again and again (marked's 938,598 are 22,506 distinct ones): each
      // is written a character at a time once, then its bytes are copied.
      const known = written.get(v);
      if (known !== undefined) return out.bytes(known);
      out.reserve(shown + 16);
      const from = out.pos;
      if (!out.stringRepr(v, shown)) return storedValue(tp, v, false, maxRepr, text, whole);
      if (written.size >= MAX_SAME) written.clear();
      const bytes = new Uint8Array(out.pos - from);
      bytesSet(bytes, bytesSub(out.buf, from, out.pos), 0);
      written.set(v, bytes);
    } else if (v === undefined && shown >= 9) out.fixed(UNDEFINED);
    else if (typeof v === "boolean" && shown >= 5) out.fixed(v ? TRUE : FALSE);
    else if (v === null && shown >= 4) out.fixed(NULL);
    else storedValue(tp, v, false, maxRepr, text, whole);
  };
}

/** Writes the record of call `i` at `depth` (run_file/format.ts). */
function callRecorder(
  t: TraceState,
  out: RunSink,
  links: CallLinks,
  counts: SubtreeCounts,
  functions: FunctionTable,
): (i: number, depth: number) => void {
  const { tape: tp, dropped } = t;
  const { rowOf, done } = links;
  const { below, droppedBelow, anyDropped } = counts;
  const value = valueWriter(t, out);
  // The start of each open call, by depth: a record's start is stored relative to its parent's.
  const startAt: number[] = [];
  const startTime = t.startTime;
  return (i: number, depth: number): void => {
    const row = rowOf[i];
    const finished = done[i] === 1;
    const state = tp.state[row];
    const local = functions.localId(tp.fn[row]);
    const d = anyDropped ? dropped.get(row) : undefined;
    // The fixed part of the record, within the buffer's slack (five varints and a byte).
    out.room();
    const buf = out.buf;
    let pos = putVarint(buf, out.pos, local);
    const start = round((tp.start[row] - startTime) * 1000);
    // The end rounded from the trace's start as the start is (to_json.ts, elapsedUs).
    const elapsed = finished ? max(0, round((tp.end[row] - startTime) * 1000) - start) : 0;
    const awaited = finished ? awaitedUs(t, row, elapsed) : 0;
    // Calls left out below this one (droppedBelow has no room when the trace left none out).
    const under = anyDropped ? droppedBelow[i] : 0;
    buf[pos++] = (!finished ? UNFINISHED : state === THREW ? THREW : RETURNED) |
      (d !== undefined ? HAS_DROPPED : 0) | (under > 0 ? HAS_DROPPED_BELOW : 0) |
      (awaited > 0 ? HAS_AWAITED : 0);
    pos = putVarint(buf, pos, below[i]);
    pos = putVarint(buf, pos, zigzag(start - (depth === 0 ? 0 : startAt[depth - 1])));
    startAt[depth] = start;
    if (finished) pos = putVarint(buf, pos, elapsed);
    out.pos = pos;
    const stored = tp.args[row], marks = tp.marks[row];
    const count = functions.paramCount[local];
    if (count < 0) {
      const values = stored as unknown[];
      out.varint(values.length);
      for (let a = 0; a < values.length; a++) value(values[a], argIsText(marks, a));
    } else {
      if (count === 1) value(stored, (marks & 1) === 1);
      else for (let a = 0; a < count; a++) value((stored as unknown[])[a], argIsText(marks, a));
    }
    if (finished && state === RETURNED) value(tp.ret[row], (marks & RET_TEXT) !== 0);
    else if (finished && state === THREW) {
      const e = String(tp.ret[row]);
      out.textValue(e, 0, e.length);
    }
    if (d !== undefined) out.varint(d);
    if (under > 0) out.varint(under);
    if (awaited > 0) out.varint(awaited);
  };
}

/**
 * The calls' records depth first, iteratively; the subtrees of big calls are indexed as they
 * close.
 *
 * @returns How many records, and the skip index: (ordinal, offset after the subtree) pairs.
 */
function writeCalls(
  out: RunSink,
  links: CallLinks,
  below: Int32Array,
  record: (i: number, depth: number) => void,
): { ordinal: number; skips: number[] } {
  const { firstChild, next, firstRoot } = links;
  const stack: number[] = [];
  const skips: number[] = [];
  let depth = 0;
  let ordinal = 0;
  const ordinalOf: number[] = [];
  let i = firstRoot - 1;
  while (i >= 0 || depth > 0) {
    if (i < 0) {
      const closed = stack[--depth];
      if (below[closed] >= SKIP_MIN) {
        skips[skips.length] = ordinalOf[depth];
        skips[skips.length] = out.offset;
      }
      i = next[closed] - 1;
      continue;
    }
    record(i, depth);
    ordinalOf[depth] = ordinal++;
    stack[depth++] = i;
    i = firstChild[i] - 1;
  }
  return { ordinal, skips };
}

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** Bytes of chunks of texts the encoder made at once, held at most. */
const HELD_BYTES = 16 << 20;

/**
 * The UTF-8 bytes of the tape's joined texts, a chunk at a time: a text is copied from them
 * instead of read a character at a time, where a chunk is all ASCII (a text's characters are then
 * its bytes: values shown whole). Null for a chunk that is not (one cut text's "…" is enough: the
 * texts of most real programs), and for every chunk once they have been made so often (texts
 * written far out of their order) that making them costs more than it saves.
 */
class AsciiChunks {
  readonly #held: (Uint8Array | null | undefined)[] = [];
  /** Chunks held, oldest first from `#first`, and the bytes they hold. */
  readonly #order: number[] = [];
  #first = 0;
  #bytes = 0;
  #made = 0;
  readonly texts: Texts;
  constructor(texts: Texts) {
    this.texts = texts;
  }

  bytes(c: number): Uint8Array | null {
    const had = this.#held[c];
    if (had !== undefined) return had;
    const chunks = this.texts.chunks;
    if (this.#made > 2 * chunks.length + 16) return null;
    this.#made++;
    const text = chunks[c];
    // Found at once in a chunk of cut texts (their "…"): not encoded for nothing.
    const bytes = regexExec(NON_ASCII, text) === null ? utf8(text) : null;
    this.#held[c] = bytes;
    const order = this.#order;
    order[order.length] = c;
    if (bytes !== null) this.#bytes += bytes.length;
    // A text stored once is written wherever it comes again (tape.ts): chunks are held by the
    // bytes they take rather than by number.
    while (this.#bytes > HELD_BYTES && this.#first < order.length - 1) {
      const old = order[this.#first++];
      this.#bytes -= this.#held[old]?.length ?? 0;
      this.#held[old] = undefined;
    }
    return bytes;
  }
}

/** A signed integer mapped to an unsigned one: 0, −1, 1, −2… to 0, 1, 2, 3…. */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Write "…" (its UTF-8 bytes) at `pos`; returns the position after it. */
function putEllipsis(buf: Uint8Array, pos: number): number {
  buf[pos] = 0xe2;
  buf[pos + 1] = 0x80;
  buf[pos + 2] = 0xa6;
  return pos + 3;
}

/** Write an unsigned integer below 2^53 (LEB128) at `pos`; returns the position after it. */
function putVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7fffffff) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = floor(v / 0x80);
  }
  // Below 2^31: integer arithmetic.
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Whether argument `i` of a row is stored as an index into the tape's texts. */
function argIsText(marks: number, i: number): boolean {
  return i < MARKED_ARGS && ((marks >>> i) & 1) === 1;
}
