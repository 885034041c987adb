// The output side of writeTraceJSON (to_json.ts): UTF-8 written straight into one reused buffer,
// with JSON string escaping and number formatting done byte by byte.

import type { FileWriter } from "../platform/files.ts";
import {
  bytesSet,
  charCodeAt,
  charCodeAtIntact,
  floor,
  max,
  min,
  round,
  stringify,
  utf8,
} from "../platform/intrinsics.ts";
import { String, Uint8Array } from "../platform/globals.ts";

/** Bytes written at a time. */
const BUF = 1 << 20;
/** Room past BUF for a piece of known, small size, written without a check. */
const SLACK = 256;

/** The UTF-8 bytes of a string. */
export const bytesOf = utf8;
const HEX = bytesOf("0123456789abcdef");
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Where a Sink's bytes go. */
export interface ByteSink {
  write(bytes: Uint8Array, length: number): void;
}

/** A buffer for a {@linkcode Sink}. */
export function sinkBuffer(): Uint8Array {
  return new Uint8Array(BUF + SLACK);
}

/** An output file and the buffer in front of it. */
export class Sink {
  readonly buf: Uint8Array;
  pos = 0;
  /** Bytes written to the file so far (`flushed + pos` is the offset of the next byte). */
  flushed = 0;
  /** Where room() flushes: BUF, or less until the first flush (see RunSink). */
  full = BUF;
  readonly file: ByteSink | FileWriter;
  /**
   * @param file Where the bytes go.
   * @param buf The buffer to use (from {@linkcode sinkBuffer}): one reused by a writer of many
   *   small runs (a server's run per request) instead of a megabyte made for each.
   */
  constructor(file: ByteSink | FileWriter, buf?: Uint8Array) {
    this.file = file;
    this.buf = buf ?? sinkBuffer();
    // Stored twice here, so that V8 never takes `flushed` for a constant: its first flush, a
    // megabyte into a run, would otherwise throw away the writer's optimized code (the walk's
    // loop, optimized on the stack, then runs slowly until it is optimized again).
    this.flushed = -1;
    this.flushed = 0;
  }

  flush(): void {
    this.file.write(this.buf, this.pos);
    this.flushed += this.pos;
    this.pos = 0;
    this.full = BUF;
  }

  /** Make sure SLACK bytes can be written. */
  room(): void {
    if (this.pos > this.full) this.flush();
  }

  /** Make room for `n` bytes at once; false when they cannot fit in the buffer at all. */
  reserve(n: number): boolean {
    if (this.pos + n > BUF + SLACK) this.flush();
    return n <= BUF + SLACK;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > BUF + SLACK) {
      this.flush();
      if (n > BUF) {
        this.file.write(b, n);
        this.flushed += n;
        return;
      }
    }
    const buf = this.buf;
    let pos = this.pos;
    // Measured: a loop beats set()'s call up to 16 bytes (V8) or 32 (JSC).
    if (n <= 16) { for (let i = 0; i < n; i++) buf[pos++] = b[i]; }
    else {
      bytesSet(buf, b, pos);
      pos += n;
    }
    this.pos = pos;
  }

  /** `n` bytes of `b` from `from` (n at most BUF), copied one at a time: no view of `b` made. */
  bytesAt(b: Uint8Array, from: number, n: number): void {
    if (this.pos + n > BUF + SLACK) this.flush();
    const buf = this.buf;
    let pos = this.pos;
    for (let i = from, end = from + n; i < end; i++) buf[pos++] = b[i];
    this.pos = pos;
  }

  /** An int32 as a JSON string (`"-12"`), as repr() shows it. */
  quotedInt(v: number): void {
    this.room();
    const buf = this.buf;
    buf[this.pos++] = 34;
    if (v < 0) {
      buf[this.pos++] = 45;
      this.int(-v);
    } else this.int(v);
    buf[this.pos++] = 34;
  }

  /** A non-negative integer up to 2^31 (after room()). */
  int(v: number): void {
    let digits = 1;
    while (digits < 10 && v >= POW10[digits]) digits++;
    let end = this.pos + digits;
    this.pos = end;
    const buf = this.buf;
    do {
      const rest = (v / 10) | 0;
      buf[--end] = 48 + v - rest * 10;
      v = rest;
    } while (v > 0);
  }

  /**
   * `Math.round(ms * 1000) / 1000` as JSON.stringify writes it (0 for anything below zero when
   * `clamp`), after room(). Below 10^12 the double nearest k/1000 prints as k/1000 does:
   * doubles there are closer together than 0.001, so no shorter decimal reads back as it.
   */
  ms(ms: number, clamp: boolean): void {
    this.thousandths(round(ms * 1000), clamp);
  }

  /** `k / 1000` as JSON.stringify writes it (0 for anything below zero when `clamp`), after room(). */
  thousandths(k: number, clamp: boolean): void {
    if (!(k > -1e15 && k < 1e15)) {
      const v = k / 1000;
      this.bytes(bytesOf(stringify(clamp ? max(0, v) : v)));
      return;
    }
    const buf = this.buf;
    if (k <= 0) {
      if (k === 0 || clamp) {
        buf[this.pos++] = 48;
        return;
      }
      buf[this.pos++] = 45;
      k = -k;
    }
    let frac: number;
    if (k < 2147483648) {
      const whole = (k / 1000) | 0;
      frac = k - whole * 1000;
      this.int(whole);
    } else {
      const whole = floor(k / 1000);
      frac = k - whole * 1000;
      this.bytes(bytesOf(String(whole)));
    }
    if (frac === 0) return;
    let pos = this.pos;
    const d1 = (frac / 100) | 0, r = frac - d1 * 100, d2 = (r / 10) | 0, d3 = r - d2 * 10;
    buf[pos++] = 46;
    buf[pos++] = 48 + d1;
    if (r !== 0) {
      buf[pos++] = 48 + d2;
      if (d3 !== 0) buf[pos++] = 48 + d3;
    }
    this.pos = pos;
  }

  /** `s.slice(from, to)` as JSON.stringify quotes and escapes it, in UTF-8. */
  json(s: string, from: number, to: number): void {
    this.room();
    this.buf[this.pos++] = 34;
    let i = from;
    while (i < to) {
      // At most 6 bytes a code unit (`\u001f`); one more unit when a pair straddles the end.
      if (this.pos + (to - i + 1) * 6 > BUF + SLACK && this.pos > BUF - 4096) this.flush();
      const end = min(to, i + (((BUF + SLACK - this.pos) / 6) | 0) - 1);
      i = this.#escape(s, i, end, to);
    }
    this.room();
    this.buf[this.pos++] = 34;
  }

  /** Units from `i` up to `end` (a pair may take the unit at `end`, below `to`). */
  #escape(s: string, i: number, end: number, to: number): number {
    const buf = this.buf;
    let pos = this.pos;
    // The program may have replaced String.prototype.charCodeAt.
    const direct = charCodeAtIntact();
    for (; i < end; i++) {
      const c = direct ? s.charCodeAt(i) : charCodeAt(s, i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 34 && c !== 92) buf[pos++] = c;
        else {
          buf[pos++] = 92;
          if (c === 34 || c === 92) buf[pos++] = c;
          else if (c === 8) buf[pos++] = 98;
          else if (c === 9) buf[pos++] = 116;
          else if (c === 10) buf[pos++] = 110;
          else if (c === 12) buf[pos++] = 102;
          else if (c === 13) buf[pos++] = 114;
          else pos = unit(buf, pos, c);
        }
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 63);
      } else if ((c & 0xf800) !== 0xd800) {
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 63);
        buf[pos++] = 0x80 | (c & 63);
      } else {
        const d = c < 0xdc00 && i + 1 < to ? charCodeAt(s, i + 1) : 0;
        if ((d & 0xfc00) === 0xdc00) {
          const cp = 0x10000 + ((c & 0x3ff) << 10) + (d & 0x3ff);
          buf[pos++] = 0xf0 | (cp >> 18);
          buf[pos++] = 0x80 | ((cp >> 12) & 63);
          buf[pos++] = 0x80 | ((cp >> 6) & 63);
          buf[pos++] = 0x80 | (cp & 63);
          i++;
        } else {
          // A lone surrogate: JSON.stringify escapes it.
          buf[pos++] = 92;
          pos = unit(buf, pos, c);
        }
      }
    }
    this.pos = pos;
    return i;
  }
}

/** `u` and four hex digits of `c`, after a backslash. */
function unit(buf: Uint8Array, pos: number, c: number): number {
  buf[pos++] = 117;
  buf[pos++] = HEX[c >> 12];
  buf[pos++] = HEX[(c >> 8) & 15];
  buf[pos++] = HEX[(c >> 4) & 15];
  buf[pos++] = HEX[c & 15];
  return pos;
}
