// `tph tree` of a run in tph's format, drawn as it is read: the lines renderTree draws for the
// same run, byte for byte, but written straight from the stored records (no call objects, a
// value's bytes copied as they are stored when nothing in them needs escaping), so a run of
// millions of calls streams at the speed of its reading. Nothing is kept but the open calls
// (and, with a filter, one byte a call).

import {
  formatDuration,
  INDENT_LEVELS,
  labelValue,
  treeDrawer,
  type TreeOptions,
} from "../../render/tree.ts";
import { STATE_MASK } from "../../run_file/format.ts";
import { FN_ASYNC, FN_EXTERNAL, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import { isWhole, type RawCall, type RunFile, textLength, wholeOf } from "../store/run_reader.ts";

/** Thrown to stop drawing once stdout's reader went away. */
export const READER_GONE: Error = new Error("stdout closed");

/** Marks of the filter's first pass, one byte a call. */
const PATH = 1, MATCH = 2, LAST = 4;

/**
 * Draw a run in tph's format as `tph tree` does, writing lines as they are made.
 *
 * @param file The run (its `scan` is not null).
 * @param options As renderTree's; `filter` reads the calls' names once before drawing.
 * @param out Where the bytes go; returns false once nobody reads (then READER_GONE is thrown).
 * @returns Whether a call was drawn (false: the filter matched none, nothing was written).
 */
export function drawRun(
  file: RunFile,
  options: TreeOptions,
  out: (bytes: Uint8Array, length: number) => boolean,
): boolean {
  const scan = file.scan!;
  const draw = treeDrawer(options);
  const maxDepth = options.maxDepth ?? Infinity;
  const filter = options.filter;
  const marks = filter === undefined ? null : markMatches(file, filter, maxDepth);
  if (marks !== null && marks.cut === null) return false;
  const w = new LineWriter(out);
  const label = new LabelBytes(w, draw.parts, file);
  const connector = [w.encode(draw.connector(false)), w.encode(draw.connector(true))];
  // What a list's prefix grows by for the calls below a call (not last, last).
  const grow = [w.encode(draw.inner("", 1, false)), w.encode(draw.inner("", 1, true))];
  // The lists of calls being drawn, outermost first (the roots' is 0; list i's calls are at
  // depth i + 1), as columns: no object is made per list. The prefixes of the open lists are
  // one growing byte string, each list's the start of the next's.
  const prefix = new Uint8Array((INDENT_LEVELS + 1) * Math.max(grow[0].length, grow[1].length));
  /** List i's prefix bytes (null past INDENT_LEVELS, where lines are drawn from its text). */
  const bytes: (Uint8Array | null)[] = [prefix.subarray(0, 0)];
  /** Its prefix as text, made when a line needs it (rarely), and whether its call is last. */
  const texts: (string | null)[] = [""];
  const lastCall: boolean[] = [false];
  /** Calls limits left out at its end; the ordinal of its last call; all its calls drawn. */
  const droppedAt: number[] = [marks === null ? file.meta.dropped_at_root ?? 0 : 0];
  const end: number[] = [file.records - 1];
  const whole: boolean[] = [marks === null];
  let open = 1;
  const textOf = (i: number): string => texts[i] ??= draw.inner(textOf(i - 1), i, lastCall[i]);
  const closeTo = (n: number) => {
    for (; open > n; open--) {
      const i = open - 1;
      if (droppedAt[i] > 0) w.line(draw.leftOut(textOf(i), i + 1, droppedAt[i]));
    }
  };
  let ordinal = 0;
  scan((r, depth) => {
    const here = ordinal++;
    const below = r.descendants;
    closeTo(depth + 1);
    const i = depth;
    const mark = whole[i] ? MATCH : marks!.of[here];
    if (mark === 0) {
      ordinal += below;
      return false;
    }
    // A call only on the way to a match shows neither its left-out count nor the others'.
    const path = (mark & PATH) !== 0;
    const last = whole[i] ? here + below === end[i] && droppedAt[i] === 0 : (mark & LAST) !== 0;
    const b = bytes[i];
    if (b !== null) {
      w.bytes(b);
      w.bytes(connector[last ? 1 : 0]);
    } else w.text(draw.lead(textOf(i), i + 1, last));
    label.write(r);
    const dropped = path ? 0 : r.dropped;
    if (i + 1 >= maxDepth) {
      const inner = draw.inner(textOf(i), i + 1, last);
      const cut = path ? marks!.cut!.get(here)! : null;
      const line = cut === null
        ? draw.below(inner, i + 1, below, r.droppedBelow + dropped)
        : draw.below(inner, i + 1, cut.calls, cut.dropped);
      if (line !== null) w.line(line);
      ordinal += below;
      return false;
    }
    if (below > 0 || dropped > 0) {
      const j = open++;
      if (b !== null && j < INDENT_LEVELS) {
        const more = grow[last ? 1 : 0];
        prefix.set(more, b.length);
        bytes[j] = prefix.subarray(0, b.length + more.length);
      } else bytes[j] = null;
      texts[j] = null;
      lastCall[j] = last;
      droppedAt[j] = dropped;
      end[j] = here + below;
      whole[j] = !path;
    }
    return true;
  });
  closeTo(0);
  w.flush();
  return true;
}

/**
 * The filter's first pass: which calls are drawn — those whose name contains `text` with their
 * subtrees (MATCH; the subtree is not read), the calls that lead to them (PATH), and which of
 * these is the last drawn of its list (LAST). For a call on a path at the deepest level drawn,
 * what its line below sums up: the calls drawn under it and what limits left out under those.
 */
function markMatches(
  file: RunFile,
  text: string,
  maxDepth: number,
): { of: Uint8Array; cut: Map<number, { calls: number; dropped: number }> | null } {
  const matches = file.functions.map((f) => f[0].includes(text));
  const of = new Uint8Array(file.records);
  const cut = new Map<number, { calls: number; dropped: number }>();
  // Per open call (by depth): its ordinal, whether it is drawn, what is drawn below it.
  const ord: number[] = [], kept: boolean[] = [], calls: number[] = [], dropped: number[] = [];
  // Per list (by the depth of its calls): its last call drawn so far (-1: none).
  const lastKept: number[] = [-1];
  const keep = (depth: number, at: number) => {
    const before = lastKept[depth];
    if (before >= 0) of[before] &= ~LAST;
    of[at] |= LAST;
    lastKept[depth] = at;
  };
  let open = 0, ordinal = 0, any = false;
  // Close the open calls from `depth` on: what is drawn below each goes to its caller's sums.
  const closeTo = (depth: number) => {
    for (; open > depth; open--) {
      const d = open - 1;
      if (!kept[d]) continue;
      if (d + 1 === maxDepth) cut.set(ord[d], { calls: calls[d], dropped: dropped[d] });
      if (d > 0) {
        calls[d - 1] += 1 + calls[d];
        dropped[d - 1] += dropped[d];
      }
    }
  };
  file.scan!((r, depth) => {
    const here = ordinal++;
    closeTo(depth);
    if (matches[r.fn]) {
      any = true;
      of[here] = MATCH;
      // Its callers are drawn, down from the first not drawn yet.
      let d = depth - 1;
      while (d >= 0 && !kept[d]) d--;
      for (d++; d < depth; d++) {
        kept[d] = true;
        of[ord[d]] |= PATH;
        keep(d, ord[d]);
      }
      keep(depth, here);
      if (depth > 0) {
        calls[depth - 1] += 1 + r.descendants;
        dropped[depth - 1] += r.dropped + r.droppedBelow;
      }
      ordinal += r.descendants;
      return false;
    }
    if (r.descendants === 0) return true;
    ord[depth] = here;
    kept[depth] = false;
    calls[depth] = 0;
    dropped[depth] = 0;
    lastKept[depth + 1] = -1;
    open = depth + 1;
    return true;
  });
  closeTo(0);
  return { of, cut: any ? cut : null };
}

/** Writes a call's label (LabelParts) from its record's bytes. */
class LabelBytes {
  /** Per function: `[async ]name(`, and each parameter's `key=` (none for external calls). */
  readonly #heads: Uint8Array[] = [];
  readonly #keys: Uint8Array[][] = [];
  readonly #external: boolean[] = [];
  readonly #comma: Uint8Array;
  readonly #close: Uint8Array;
  readonly #returns: Uint8Array;
  readonly #throws: Uint8Array[];
  readonly #ext: Uint8Array;
  readonly #unfinished: Uint8Array;
  readonly #time: Uint8Array[];
  readonly #micros: Uint8Array;
  readonly #autoMicros: boolean;

  constructor(
    readonly w: LineWriter,
    readonly parts: ReturnType<typeof treeDrawer>["parts"],
    file: RunFile,
  ) {
    const e = (s: string) => w.encode(s);
    for (const f of file.functions) {
      const external = (f[6] & FN_EXTERNAL) !== 0;
      this.#heads.push(e(((f[6] & FN_ASYNC) !== 0 ? parts.async : "") + parts.name(f[0])));
      this.#keys.push(external ? [] : f[5].map((k) => e(parts.key(k))));
      this.#external.push(external);
    }
    this.#comma = e(parts.comma);
    this.#close = e(parts.close);
    this.#returns = e(parts.returns);
    this.#throws = parts.throws.map(e);
    this.#ext = e(parts.external);
    this.#unfinished = e(parts.unfinished);
    this.#time = parts.time.map(e);
    // formatDuration's unit of microseconds ("1µs" without the 1): its digits are written
    // without making its text.
    this.#micros = e(formatDuration(0.001, "us").slice(1));
    this.#autoMicros = (parts.timeUnit ?? "auto") === "auto";
  }

  /** The label of `r` and the line's end. */
  write(r: RawCall): void {
    const { w, parts } = this;
    const fn = r.fn;
    w.bytes(this.#heads[fn]);
    if (parts.showArgs) {
      const external = this.#external[fn];
      const keys = this.#keys[fn];
      for (let a = 0; a < r.args; a++) {
        if (a > 0) w.bytes(this.#comma);
        if (!external) w.bytes(keys[a]);
        this.#value(r, a);
      }
    }
    w.bytes(this.#close);
    const state = r.flags & STATE_MASK;
    if (state === THREW) {
      w.bytes(this.#throws[0]);
      this.#value(r, r.args);
      w.bytes(this.#throws[1]);
    } else if (parts.showReturn && state !== UNFINISHED) {
      w.bytes(this.#returns);
      this.#value(r, r.args);
    }
    if (this.#external[fn]) w.bytes(this.#ext);
    if (state === UNFINISHED) w.bytes(this.#unfinished);
    else {
      w.bytes(this.#time[0]);
      const ms = r.elapsed / 1000;
      if ((this.#autoMicros && ms < 1) || parts.timeUnit === "us") {
        w.whole(Math.round(ms * 1000));
        w.bytes(this.#micros);
      } else w.text(formatDuration(ms, parts.timeUnit));
      w.bytes(this.#time[1]);
    }
    w.end();
  }

  /** Value k as labelValue shows it: its stored bytes when none of them needs escaping. */
  #value(r: RawCall, k: number): void {
    const tag = r.tags[k];
    if (isWhole(tag)) return this.w.whole(wholeOf(tag));
    if (tag % 4 === 0 && this.w.safeBytes(r.buf, r.offset(k), textLength(tag))) return;
    this.w.text(labelValue(r.text(k)));
  }
}

/** Lines into a reused buffer, written out when it fills. */
export class LineWriter {
  #buf = new Uint8Array(1 << 20);
  #pos = 0;
  readonly #encoder = new TextEncoder();

  constructor(readonly out: (bytes: Uint8Array, length: number) => boolean) {}

  encode(text: string): Uint8Array {
    return this.#encoder.encode(text);
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(n);
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.#room(n);
    const buf = this.#buf;
    let pos = this.#pos;
    // Most pieces are a few bytes: a loop is cheaper than set() for them.
    if (n < 16) { for (let i = 0; i < n; i++) buf[pos++] = b[i]; }
    else {
      buf.set(b, pos);
      pos += n;
    }
    this.#pos = pos;
  }

  /**
   * Copy `length` UTF-8 bytes of `from` unless one of them is a control character, a line or
   * paragraph separator or a bidi control (which safeText escapes): then copy nothing.
   *
   * @returns Whether the bytes were copied.
   */
  safeBytes(from: Uint8Array, at: number, length: number): boolean {
    this.#room(length);
    const buf = this.#buf;
    let pos = this.#pos;
    const end = at + length;
    for (let i = at; i < end; i++) {
      const b = from[i];
      if (b < 0x80) {
        if ((b < 0x20 && b !== 9) || b === 0x7f) return false;
      } else if (b === 0xc2) {
        // U+0080–U+009F (C1).
        if (from[i + 1] < 0xa0) return false;
      } else if (b === 0xe2) {
        // U+2028–U+202E, U+2066–U+2069.
        const b1 = from[i + 1], b2 = from[i + 2];
        if (
          (b1 === 0x80 && b2 >= 0xa8 && b2 <= 0xae) || (b1 === 0x81 && b2 >= 0xa6 && b2 <= 0xa9)
        ) {
          return false;
        }
      }
      buf[pos++] = b;
    }
    this.#pos = pos;
    return true;
  }

  /** A whole number's digits (as String() writes a safe integer). */
  whole(v: number): void {
    this.#room(24);
    const buf = this.#buf;
    let pos = this.#pos;
    if (v < 0) {
      buf[pos++] = 45;
      v = -v;
    }
    let digits = 1;
    for (let p = 10; p <= v; p *= 10) digits++;
    pos += digits;
    if (v < 0x80000000) {
      // Small integers: integer arithmetic (a double's % is a call to fmod).
      let n = v | 0;
      for (let i = 1; i <= digits; i++) {
        const q = (n / 10) | 0;
        buf[pos - i] = 48 + n - q * 10;
        n = q;
      }
    } else {
      for (let i = 1; i <= digits; i++) {
        buf[pos - i] = 48 + (v % 10);
        v = Math.floor(v / 10);
      }
    }
    this.#pos = pos;
  }

  /** Text: ASCII a byte at a time, anything else through the encoder. */
  text(text: string): void {
    const n = text.length;
    this.#room(n * 3);
    const buf = this.#buf;
    let pos = this.#pos, i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) buf[pos++] = c;
      else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 63);
      } else break;
    }
    if (i < n) pos += this.#encoder.encodeInto(text.slice(i), buf.subarray(pos)).written;
    this.#pos = pos;
  }

  /** A line's end. */
  end(): void {
    this.#room(1);
    this.#buf[this.#pos++] = 10;
  }

  /** Text and a line's end. */
  line(text: string): void {
    this.text(text);
    this.end();
  }

  /** Write what is buffered; throws READER_GONE once nobody reads (`| head`): nothing more to do. */
  flush(): void {
    const open = this.#pos === 0 || this.out(this.#buf, this.#pos);
    this.#pos = 0;
    if (!open) throw READER_GONE;
  }
}
