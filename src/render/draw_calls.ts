// The call tree's lines (`tph tree`, renderTree, the library's trace().tree()), drawn from a
// scan of the calls as it goes: from a run file's records (a value's bytes copied as they are
// stored when nothing in them needs escaping, no call objects), so a run of millions of calls
// streams at the speed of its reading; or from a tree in memory through its records (nodeCalls).
// Nothing is kept but the open calls (and, with a filter, one byte a call).

import {
  fitValues,
  formatDuration,
  INDENT_LEVELS,
  labelValue,
  treeDrawer,
  type TreeOptions,
  visibleLength,
} from "./tree_lines.ts";
import { FN_ASYNC, FN_EXTERNAL } from "../run_file/call_state.ts";
import {
  type CallRecord,
  type CallSource,
  isWhole,
  LAST_KEPT,
  markFilter,
  MATCHED,
  ON_PATH,
  shownOf,
  SHOWS_RETURN,
  SHOWS_THROW,
  SHOWS_UNFINISHED,
  textLength,
  wholeOf,
} from "../run_file/call_records.ts";
import { Error, Math, Number, String, TextEncoder, Uint8Array } from "../platform/globals.ts";

/**
 * Thrown to stop drawing once stdout's reader went away (readerGone). Made when first thrown: an
 * error made while a module loads costs Deno ~11 ms in the program's process, whose preload is
 * one module of ~0.7 MB (V8 parses a module again for the places of its frames).
 */
let readerGoneError: Error | null = null;

/** The error thrown to stop drawing once stdout's reader went away (always the same one). */
export function readerGone(): Error {
  return readerGoneError ??= new Error("stdout closed");
}

/** A piece of a line made once (a name, a connector): bytes for LineWriter, text for TextLines. */
type Piece = Uint8Array | string;

/** Where the lines go: bytes (LineWriter) or text (TextLines). */
export interface Lines {
  /** Lines ended so far. */
  readonly lines: number;
  /** Whether a prefix may be kept as bytes (`piece` gives Uint8Array). */
  readonly bytePrefixes: boolean;
  piece(text: string): Piece;
  bytes(p: Piece): void;
  safeBytes(from: Uint8Array, at: number, length: number): boolean;
  whole(v: number): void;
  text(text: string): void;
  end(): void;
  line(text: string): void;
  flush(): void;
}

/**
 * Draw calls as `tph tree` does, writing lines as they are made.
 *
 * @param source The calls.
 * @param options As renderTree's; `filter` reads the calls' names once before drawing;
 *   `rootDropped` counts calls left out at the top (not with a filter).
 * @param w Where the lines go (a LineWriter throws readerGone() once nobody reads).
 * @returns Whether a call was drawn (false: the filter matched none, nothing was written).
 */
export function drawCalls(source: CallSource, options: TreeOptions, w: Lines): boolean {
  const scan = source.scan;
  const draw = treeDrawer(options);
  const maxDepth = options.maxDepth ?? Infinity;
  const filter = options.filter ? options.filter : undefined;
  const marks = filter === undefined ? null : markFilter(source, filter, maxDepth);
  if (marks !== null && !marks.any) return false;
  const label = new LabelBytes(w, draw.parts, source, options.width ?? null);
  const connector = [w.piece(draw.connector(false)), w.piece(draw.connector(true))];
  // What a list's prefix grows by for the calls below a call (not last, last).
  const grow = [w.piece(draw.inner("", 1, false)), w.piece(draw.inner("", 1, true))];
  // The lists of calls being drawn, outermost first (the roots' is 0; list i's calls are at
  // depth i + 1), as columns: no object is made per list. The prefixes of the open lists are
  // one growing byte string, each list's the start of the next's.
  const prefix = new Uint8Array((INDENT_LEVELS + 1) * Math.max(grow[0].length, grow[1].length));
  /** List i's prefix bytes (null past INDENT_LEVELS, or for text lines: drawn from its text). */
  const bytes: (Uint8Array | null)[] = [w.bytePrefixes ? prefix.subarray(0, 0) : null];
  /** Its prefix as text, made when a line needs it (rarely), and whether its call is last. */
  const texts: (string | null)[] = [""];
  const lastCall: boolean[] = [false];
  /** Calls limits left out at its end; the ordinal of its last call; all its calls drawn. */
  const droppedAt: number[] = [marks === null ? options.rootDropped ?? 0 : 0];
  const end: number[] = [source.records - 1];
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
    const mark = whole[i] ? MATCHED : marks!.of[here];
    if (mark === 0) {
      ordinal += below;
      return false;
    }
    // A call only on the way to a match shows neither its left-out count nor the others'.
    const path = (mark & ON_PATH) !== 0;
    const last = whole[i]
      ? here + below === end[i] && droppedAt[i] === 0
      : (mark & LAST_KEPT) !== 0;
    const b = bytes[i];
    if (b !== null) {
      w.bytes(b);
      w.bytes(connector[last ? 1 : 0]);
    } else w.text(draw.lead(textOf(i), i + 1, last));
    // The columns before the label: four a level (past INDENT_LEVELS, the depth says itself).
    label.write(r, 4 * (Math.min(i, INDENT_LEVELS) + 1) + (i >= INDENT_LEVELS ? 12 : 0));
    const dropped = path ? 0 : r.dropped;
    if (i + 1 >= maxDepth) {
      const inner = draw.inner(textOf(i), i + 1, last);
      const cut = path ? marks!.cut.get(here)! : null;
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
        const more = grow[last ? 1 : 0] as Uint8Array;
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

/** Writes a call's label (LabelParts) from its record, the pieces made once per function. */
class LabelBytes {
  /** Per function: `[async ]name(`, and each parameter's `key=` (none for external calls). */
  readonly #heads: Piece[] = [];
  readonly #keys: Piece[][] = [];
  readonly #params: (readonly string[])[] = [];
  readonly #external: boolean[] = [];
  readonly #comma: Piece;
  readonly #close: Piece;
  readonly #returns: Piece;
  readonly #throws: Piece[];
  readonly #ext: Piece;
  readonly #unfinished: Piece;
  readonly #time: Piece[];
  readonly #micros: Piece;
  readonly #autoMicros: boolean;

  /** Columns a line may take (options.width), or null: full lines. */
  readonly #width: number | null;
  /** Per function, its head as text (for lines fitted to a width). */
  readonly #headTexts: string[] = [];

  readonly w: Lines;
  readonly parts: ReturnType<typeof treeDrawer>["parts"];
  constructor(
    w: Lines,
    parts: ReturnType<typeof treeDrawer>["parts"],
    source: CallSource,
    width: number | null,
  ) {
    this.w = w;
    this.parts = parts;
    this.#width = width;
    const e = (s: string) => w.piece(s);
    for (const f of source.functions) {
      const external = (f[6] & FN_EXTERNAL) !== 0;
      const head = ((f[6] & FN_ASYNC) !== 0 ? parts.async : "") + parts.name(f[0]);
      this.#headTexts.push(head);
      this.#heads.push(e(head));
      this.#keys.push(external ? [] : f[5].map((k) => e(parts.key(k))));
      this.#params.push(f[5]);
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

  /** The label of `r` and the line's end; `lead`: the columns before it. */
  write(r: CallRecord, lead: number): void {
    if (this.#width !== null) return this.#fitted(r, this.#width - lead);
    const { w, parts } = this;
    const fn = r.fn;
    w.bytes(this.#heads[fn]);
    if (parts.showArgs) {
      const external = this.#external[fn];
      // A JSON call may name its arguments otherwise than the function's first call did.
      const keys = r.argNames === this.#params[fn] ? this.#keys[fn] : null;
      for (let a = 0; a < r.args; a++) {
        if (a > 0) w.bytes(this.#comma);
        if (external) { /* by position: no key */ }
        else if (keys !== null) w.bytes(keys[a]);
        else w.text(parts.key(r.argNames[a]));
        this.#value(r, a);
      }
    }
    w.bytes(this.#close);
    const shows = shownOf(r);
    if ((shows & SHOWS_THROW) !== 0) {
      w.bytes(this.#throws[0]);
      this.#value(r, r.args);
      w.bytes(this.#throws[1]);
    } else if (parts.showReturn && (shows & SHOWS_RETURN) !== 0) {
      w.bytes(this.#returns);
      this.#value(r, r.args);
    }
    if (this.#external[fn]) w.bytes(this.#ext);
    if ((shows & SHOWS_UNFINISHED) !== 0) w.bytes(this.#unfinished);
    else {
      w.bytes(this.#time[0]);
      const ms = r.elapsedMs;
      if ((this.#autoMicros && ms < 1) || parts.timeUnit === "us") {
        const us = Math.round(ms * 1000);
        // A JSON run may hold any number (-1e308 ms): digits for a safe integer, else as String.
        if (Number.isSafeInteger(us)) w.whole(us);
        else w.text(String(us));
        w.bytes(this.#micros);
      } else w.text(formatDuration(ms, parts.timeUnit));
      w.bytes(this.#time[1]);
    }
    w.end();
  }

  /**
   * The label of `r` within `room` columns: the name, keys and time whole, the values cut to what
   * is left (fitValues). Text, not bytes: only a terminal's lines are fitted.
   */
  #fitted(r: CallRecord, room: number): void {
    const { w, parts } = this;
    const fn = r.fn;
    const external = this.#external[fn];
    const values: string[] = [];
    const keys: string[] = [];
    if (parts.showArgs) {
      for (let a = 0; a < r.args; a++) {
        keys.push(external ? "" : parts.key(r.argNames[a]));
        values.push(this.#valueText(r, a));
      }
    }
    const shows = shownOf(r);
    const threw = (shows & SHOWS_THROW) !== 0;
    const returns = !threw && parts.showReturn && (shows & SHOWS_RETURN) !== 0;
    if (threw || returns) values.push(this.#valueText(r, r.args));
    const head = this.#headTexts[fn];
    const tail = (external ? parts.external : "") + this.#timeText(r, shows);
    let fixed = visibleLength(head) + visibleLength(parts.close) + visibleLength(tail);
    for (let a = 0; a < keys.length; a++) {
      fixed += visibleLength(keys[a]) + (a > 0 ? parts.comma.length : 0);
    }
    if (threw) fixed += visibleLength(parts.throws[0]) + visibleLength(parts.throws[1]);
    else if (returns) fixed += parts.returns.length;
    const fit = fitValues(values, room - fixed);
    let line = head;
    for (let a = 0; a < keys.length; a++) line += (a > 0 ? parts.comma : "") + keys[a] + fit[a];
    line += parts.close;
    if (threw) line += parts.throws[0] + fit[keys.length] + parts.throws[1];
    else if (returns) line += parts.returns + fit[keys.length];
    w.text(line + tail);
    w.end();
  }

  /** Value k's text as a label shows it. */
  #valueText(r: CallRecord, k: number): string {
    const tag = r.tags[k];
    return isWhole(tag) ? String(wholeOf(tag)) : labelValue(r.text(k));
  }

  /** The end of a label: its time, or that it was unfinished. */
  #timeText(r: CallRecord, shows: number): string {
    const parts = this.parts;
    if ((shows & SHOWS_UNFINISHED) !== 0) return parts.unfinished;
    const ms = r.elapsedMs;
    const time = (this.#autoMicros && ms < 1) || parts.timeUnit === "us"
      ? `${Math.round(ms * 1000)}µs`
      : formatDuration(ms, parts.timeUnit);
    return parts.time[0] + time + parts.time[1];
  }

  /** Value k as labelValue shows it: its stored bytes when none of them needs escaping. */
  #value(r: CallRecord, k: number): void {
    const tag = r.tags[k];
    if (isWhole(tag)) return this.w.whole(wholeOf(tag));
    if (tag % 4 === 0 && this.w.safeBytes(r.bufOf(k), r.offset(k), textLength(tag))) return;
    this.w.text(labelValue(r.text(k)));
  }
}

/** Lines as text (renderTree's string), each piece kept as it is. */
export class TextLines implements Lines {
  lines = 0;
  readonly bytePrefixes = false;
  #out: string[] = [];
  #line = "";
  piece(text: string): string {
    return text;
  }
  bytes(p: Piece): void {
    this.#line += p as string;
  }
  safeBytes(): boolean {
    return false;
  }
  whole(v: number): void {
    this.#line += String(v);
  }
  text(text: string): void {
    this.#line += text;
  }
  end(): void {
    this.#out.push(this.#line);
    this.#line = "";
    this.lines++;
  }
  line(text: string): void {
    this.text(text);
    this.end();
  }
  flush(): void {}
  /** The lines joined, without a last line end. */
  toString(): string {
    return this.#out.join("\n");
  }
}

/** Lines into a reused buffer, written out when it fills. */
export class LineWriter implements Lines {
  #buf: Uint8Array;
  #pos = 0;
  readonly #encoder = new TextEncoder();
  lines = 0;
  readonly bytePrefixes = true;
  /** A text had a lone surrogate (written as U+FFFD, as stdout would): its bytes lost it. */
  lossy = false;

  readonly out: (bytes: Uint8Array, length: number) => boolean;
  constructor(out: (bytes: Uint8Array, length: number) => boolean, size = 1 << 20) {
    this.out = out;
    this.#buf = new Uint8Array(size);
  }

  piece(text: string): Uint8Array {
    if (!text.isWellFormed()) this.lossy = true;
    return this.#encoder.encode(text);
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(n);
  }

  bytes(b: Uint8Array): void {
    // Every piece it is given is one it made (`piece`): bytes.
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
    if (i < n) {
      const rest = text.slice(i);
      if (!this.lossy && !rest.isWellFormed()) this.lossy = true;
      pos += this.#encoder.encodeInto(rest, buf.subarray(pos)).written;
    }
    this.#pos = pos;
  }

  /** A line's end. */
  end(): void {
    this.#room(1);
    this.#buf[this.#pos++] = 10;
    this.lines++;
  }

  /** Text and a line's end. */
  line(text: string): void {
    this.text(text);
    this.end();
  }

  /** Write what is buffered; throws readerGone() once nobody reads (`| head`): nothing more to do. */
  flush(): void {
    const open = this.#pos === 0 || this.out(this.#buf, this.#pos);
    this.#pos = 0;
    if (!open) throw readerGone();
  }
}
