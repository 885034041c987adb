// The run file's value writer: a Sink (json_sink.ts) that also writes the run format's varints and
// values (format.ts), each straight into one reused buffer. The encoder (encode.ts) writes a
// record's fixed part with it; a source of calls (the recorder's tape, run_writer.ts) its values.
// It runs in the program's process: built-ins come from platform/globals.ts and intrinsics.ts.

import {
  bytesCopyWithin,
  bytesSet,
  bytesSub,
  charCodeAt,
  charCodeAtIntact,
  floor,
  stringify,
  strSlice,
  utf8,
  utf8Into,
  wellFormed,
} from "../platform/intrinsics.ts";
import { type ByteSink, Sink } from "./json_sink.ts";
import type { FileWriter } from "../platform/files.ts";
import { Float64Array, Uint8Array } from "../platform/globals.ts";
import { TABLE_INDEX_LENGTH_BYTES } from "./format.ts";

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
/** Where a RunSink's room() first flushes (Sink.full). */
const FIRST_FULL = 1 << 12;
/**
 * The longest text asciiText copies a byte at a time, not with set() (a view of the bytes made).
 * On Bun a few hundred: each view is an object, and a call of a captured built-in there makes its
 * arguments' array too (with the writer's remembered texts, most of its garbage on marked every
 * call: ~150k objects). On V8, where a short-lived view costs little, where set() wins.
 */
// deno-lint-ignore no-explicit-any
const LOOP_BYTES = (globalThis as any).Bun !== undefined ? 512 : 64;
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
const ELLIPSIS = utf8("…");
/** The values whose repr is fixed, as texts (for RunSink.fixed). */
export const TEXT_UNDEFINED: Uint8Array = taggedText("undefined");
export const TEXT_TRUE: Uint8Array = taggedText("true");
export const TEXT_FALSE: Uint8Array = taggedText("false");
export const TEXT_NULL: Uint8Array = taggedText("null");

/** A Sink that also writes the run format's varints and values. */
export class RunSink extends Sink {
  /**
   * Whether String.prototype still holds the built-in charCodeAt, checked once per file: no
   * program code runs while a run is written (see child.ts).
   */
  readonly direct: boolean = charCodeAtIntact();

  constructor(file: ByteSink | FileWriter, buf?: Uint8Array) {
    super(file, buf);
    // The first flush a few kilobytes in rather than a megabyte: it has then run before the
    // writer's code is optimized (V8 would otherwise throw that code away when it first runs).
    this.full = FIRST_FULL;
  }

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

  /** A reference to entry `e` of the values table (format.ts, format 3). */
  entryValue(e: number): void {
    this.varint(e * 8 + 6);
  }

  /**
   * A text with a lone surrogate, as its JSON literal (the JSON keeps those as escapes): its tag
   * bytes × 8 + 2 (format 3).
   */
  #jsonText(s: string, from: number, to: number, cut: boolean): void {
    const json = utf8(strSlice(stringify(strSlice(s, from, to) + (cut ? "…" : "")), 1, -1));
    this.varint(json.length * 8 + 2);
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
    if (n <= LOOP_BYTES) { for (let k = from; k < to; k++) buf[pos++] = bytes[k]; }
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

  /**
   * The values table's block index and its length (format.ts): per block of entries, its bytes
   * (`starts`: the file offset each block began at; the last one ends here), then the index's
   * bytes as a u32 LE.
   */
  tableIndex(starts: Float64Array, blocks: number): void {
    const end = this.offset;
    for (let b = 0; b < blocks; b++) {
      this.varint((b + 1 < blocks ? starts[b + 1] : end) - starts[b]);
    }
    let n = this.offset - end;
    this.room();
    for (let k = 0; k < TABLE_INDEX_LENGTH_BYTES; k++) {
      this.buf[this.pos++] = n % 256;
      n = floor(n / 256);
    }
  }

  /** The offset of the next byte in the file. */
  get offset(): number {
    return this.flushed + this.pos;
  }
}

/** A signed integer mapped to an unsigned one: 0, −1, 1, −2… to 0, 1, 2, 3…. */
export function zigzag(v: number): number {
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
export function putVarint(buf: Uint8Array, pos: number, v: number): number {
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
