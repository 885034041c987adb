// The recorder's tape as a source of calls for the run file's encoder (src/run_file/encode.ts):
// a trace's calls linked into a tree (to_json.ts, callLinks) and walked depth first, each call's
// values written from the tape as the run format stores them, with no string made for most.

import { FileWriter } from "../../platform/files.ts";
import {
  bytesSet,
  bytesSub,
  max,
  regexExec,
  round,
  SafeMap,
  utf8,
} from "../../platform/intrinsics.ts";
import { type CallsToEncode, type CallToEncode, encodeRun } from "../../run_file/encode.ts";
import type { ByteSink } from "../../run_file/json_sink.ts";
import {
  RunSink,
  TEXT_FALSE,
  TEXT_NULL,
  TEXT_TRUE,
  TEXT_UNDEFINED,
} from "../../run_file/encode_sink.ts";
import { runtime } from "./recorder.ts";
import type { FunctionEntry } from "../../run_file/format.ts";
import { RETURNED, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import { argAt, argList, MARKED_ARGS, RET_TEXT, type Texts, valueAt } from "./tape.ts";
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
import { sentBy } from "./sent_spans.ts";

/**
 * Write a trace as a run file (run_file/format.ts): its calls, its functions, and as the meta the
 * JSON's top-level fields but `trace`, plus `extra`.
 *
 * @param t The trace.
 * @param label Its label.
 * @param path The file.
 * @param extra More top-level fields, after the trace's own (a function: asked once the calls
 *   are written).
 * @param rows Tape rows whose calls' ordinals in the file (pre-order) are wanted: each is set to
 *   its call's, or stays -1 (not in the trace).
 */
export function writeTraceRun(
  t: TraceState,
  label: string | null,
  path: string,
  extra: Record<string, unknown> | (() => Record<string, unknown>) = {},
  rows: Map<number, number> | null = null,
): void {
  const file = new FileWriter(path);
  try {
    encodeRun(new TapeCalls(t, label, extra, rows), file);
  } finally {
    file.close();
  }
}

/**
 * Write a trace as a run file's bytes into `sink` (writeTraceRun's, into memory: a server's run
 * per request, written to its file off the event loop), through the buffer `buf`; `extra` and
 * `rows` as writeTraceRun's.
 */
export function encodeTraceRun(
  t: TraceState,
  label: string | null,
  sink: ByteSink,
  extra: Record<string, unknown> | (() => Record<string, unknown>),
  buf: Uint8Array,
  rows: Map<number, number> | null = null,
): void {
  encodeRun(new TapeCalls(t, label, extra, rows), sink, buf);
}

/** The calls of a trace on the tape, for the encoder (see CallsToEncode). */
export class TapeCalls implements CallsToEncode {
  readonly call: CallToEncode = {
    fn: 0,
    state: RETURNED,
    descendants: 0,
    start: 0,
    elapsed: 0,
    awaited: 0,
    dropped: -1,
    droppedBelow: 0,
  };
  readonly #t: TraceState;
  readonly #label: string | null;
  readonly #extra: Record<string, unknown> | (() => Record<string, unknown>);
  readonly #rows: Map<number, number> | null;
  /** The tape's row of the current call. */
  #row = 0;
  /** The span ids the calls that sent trace context gave, by call number (see sentTrace). */
  #sentSpans: Record<string, string> | null = null;
  /** The value writer of the sink last written to. */
  #out: RunSink | null = null;
  #value: (v: unknown, isText: boolean) => void = () => {};

  constructor(
    t: TraceState,
    label: string | null,
    extra: Record<string, unknown> | (() => Record<string, unknown>),
    rows: Map<number, number> | null = null,
  ) {
    this.#t = t;
    this.#label = label;
    this.#extra = extra;
    this.#rows = rows;
  }

  walk(open: (depth: number) => void, close: (depth: number) => void): void {
    const t = this.#t;
    const tp = t.tape;
    const links = callLinks(t);
    const { below, droppedBelow, anyDropped } = subtreeCounts(t, links);
    const { rowOf, done, firstChild, next, firstRoot } = links;
    const dropped = t.dropped;
    const startTime = t.startTime;
    const c = this.call;
    // The calls that sent trace context on, by handle (propagate/context.ts): numbered here.
    const sent = sentBy(t);
    const sentSpans = sent !== undefined && sent.spans.size > 0 ? sent.spans : null;
    const spans: Record<string, string> = {};
    const tapeBase = tp.base;
    const rows = this.#rows;
    let ordinal = 0;
    // Iterative: deep recursion in the program must not overflow tph.
    const stack: number[] = [];
    let depth = 0;
    let i = firstRoot - 1;
    while (i >= 0 || depth > 0) {
      if (i < 0) {
        const closed = stack[--depth];
        close(depth);
        i = next[closed] - 1;
        continue;
      }
      const row = rowOf[i];
      const finished = done[i] === 1;
      const state = tp.state[row];
      this.#row = row;
      c.fn = tp.fn[row];
      c.state = !finished ? UNFINISHED : state === THREW ? THREW : RETURNED;
      c.descendants = below[i];
      const start = round((tp.start[row] - startTime) * 1000);
      c.start = start;
      // The end rounded from the trace's start as the start is (to_json.ts, elapsedUs).
      const elapsed = finished ? max(0, round((tp.end[row] - startTime) * 1000) - start) : 0;
      c.elapsed = elapsed;
      c.awaited = finished ? awaitedUs(t, row, elapsed) : 0;
      c.dropped = anyDropped ? dropped.get(row) ?? -1 : -1;
      // Calls left out below this one (droppedBelow has no room when the trace left none out).
      c.droppedBelow = anyDropped ? droppedBelow[i] : 0;
      if (rows !== null && rows.has(row)) rows.set(row, ordinal);
      ordinal++;
      if (sentSpans !== null) {
        const span = sentSpans.get(tapeBase + row);
        if (span !== undefined) spans[ordinal] = span;
      }
      open(depth);
      stack[depth++] = i;
      i = firstChild[i] - 1;
    }
    this.#sentSpans = sent !== undefined ? spans : null;
  }

  functionEntry(fn: number): FunctionEntry {
    return functionEntry(runtime().fn(fn));
  }

  externalArgs(): number {
    return argList(this.#t.tape, this.#row).length;
  }

  writeArgs(out: RunSink, count: number, external: boolean): void {
    const value = this.#valueOf(out);
    const tp = this.#t.tape, row = this.#row;
    const marks = tp.marks[row];
    // Where each argument is stored: tape.ts, argAt.
    for (let a = 0; a < count; a++) value(argAt(tp, row, a, count, external), argIsText(marks, a));
  }

  writeResult(out: RunSink): void {
    const tp = this.#t.tape, row = this.#row;
    const state = tp.state[row];
    if (state === RETURNED) {
      this.#valueOf(out)(valueAt(tp.result, row), (tp.marks[row] & RET_TEXT) !== 0);
    } else if (state === THREW) {
      const e = String(valueAt(tp.result, row));
      out.textValue(e, 0, e.length);
    }
  }

  meta(): Record<string, unknown> {
    const extra = this.#extra;
    const meta: Record<string, unknown> = {
      ...traceHeader(this.#t, this.#label),
      ...(typeof extra === "function" ? extra() : extra),
    };
    const sent = sentBy(this.#t);
    if (sent !== undefined && this.#sentSpans !== null) {
      // What its outgoing requests carried on (types.ts, SentTraceJSON).
      meta.sent_trace = { trace_id: sent.traceId, spans: this.#sentSpans };
    }
    return meta;
  }

  #valueOf(out: RunSink): (v: unknown, isText: boolean) => void {
    if (this.#out !== out) {
      this.#out = out;
      this.#value = valueWriter(this.#t, out);
    }
    return this.#value;
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
    } else if (v === undefined && shown >= 9) out.fixed(TEXT_UNDEFINED);
    else if (typeof v === "boolean" && shown >= 5) out.fixed(v ? TEXT_TRUE : TEXT_FALSE);
    else if (v === null && shown >= 4) out.fixed(TEXT_NULL);
    else storedValue(tp, v, false, maxRepr, text, whole);
  };
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

/** Whether argument `i` of a row is stored as an index into the tape's texts. */
function argIsText(marks: number, i: number): boolean {
  return i < MARKED_ARGS && ((marks >>> i) & 1) === 1;
}
