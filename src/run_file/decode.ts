// The run file's decoder: reading runs back, one reader for every command. A run file in tph's
// format (format.ts) is read a part at a time — the meta alone for `logs`, the calls down to a
// depth for `view` and `tree --max-depth`, all of them streamed for `export` and `tree` — so the
// cost follows what is shown, not the size of the run. A JSON run (older tph, `-o`, another tool)
// is read whole (json_run.ts), as before.

import {
  chmod,
  fileProblem,
  FileReader,
  isSpecialFile,
  makeTempFile,
  readBytes,
  remove,
  rename,
  stat,
  tempBeside,
  truncateFile,
  writeAt,
  writeOutputSync,
} from "../platform/files.ts";
import type { ByteSink } from "./json_sink.ts";
import { Sink } from "./json_sink.ts";
import {
  type FunctionEntry,
  HAS_AWAITED,
  HAS_DROPPED,
  HAS_DROPPED_BELOW,
  isRaw,
  isReadableRaw,
  RAW_FORMAT,
  RUN_EXTENSION,
  RUN_FORMAT_VERSION,
  RUN_MAGIC,
  SKIP_MIN,
  STATE_MASK,
  TABLE_BLOCK,
  TABLE_INDEX_LENGTH_BYTES,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  VALUES_TABLE_VERSION,
} from "./format.ts";
import { FN_ASYNC, FN_EXTERNAL, THREW, UNFINISHED } from "./call_state.ts";
import { type FunctionBytes, functionParts, JSON_PARTS, positionKey } from "./json_form.ts";
import type { CallNodeJSON, RunInfo, RunJSON } from "../types.ts";
import {
  type CallRecord,
  type CallSource,
  countBelow,
  type CutBelow,
  isEscapedText,
  isWhole,
  nodeCalls,
  type ScanCalls,
  textLength,
  wholeOf,
} from "./call_records.ts";
import { displayPath } from "../platform/display_path.ts";
import { loadRun, validateRun } from "./json_run.ts";
import { JsonMetaError, readJsonMeta } from "./json_meta.ts";
import { StoreError } from "./store_error.ts";
import {
  Array,
  DataView,
  Error,
  Float64Array,
  Int32Array,
  JSON,
  Map,
  Math,
  Number,
  String,
  TextDecoder,
  TextEncoder,
  Uint8Array,
} from "../platform/globals.ts";

/** A run's top-level fields, all but its calls. */
export type RunMeta = Omit<RunJSON, "trace">;

export type { CallRecord, CutBelow, ScanCalls };

/** Calls read down to a depth. */
export interface RunTree {
  roots: CallNodeJSON[];
  /** The calls whose children were not read, with what is below them. */
  cut: Map<CallNodeJSON, CutBelow>;
  /** Calls limits left out under every call of the run (read or not). */
  droppedUnderCalls: number;
}

/**
 * A stored run, open for reading. Its calls are scanned as records (CallSource) whatever its
 * format: a JSON run's from its tree, read whole on the first scan.
 */
export interface RunFile extends CallSource {
  /** The path. */
  readonly path: string;
  /** Whether it is in tph's run format (else JSON). */
  readonly binary: boolean;
  /** Its top-level fields. */
  readonly meta: RunMeta;
  /**
   * The calls down to `maxDepth` levels (roots are level 1; default: all). Deeper calls are not
   * read; the calls at the last level say what is below them in `cut`.
   */
  tree(maxDepth?: number): RunTree;
  /**
   * Write the run as the JSON format (what `tph run -o` writes), streaming; `step` is told how
   * many calls are written as it goes.
   */
  writeJSON(out: ByteSink, step?: (done: number) => void): void;
  /**
   * Visit the calls in pre-order as stored, each with its depth (0: roots): `visit` returns false
   * not to visit its subtree. The record is reused from call to call.
   */
  readonly scan: ScanCalls;
  /** Calls limits left out at the top level (with no recorded caller). */
  readonly droppedAtRoot: number;
  /** Let go of the file. */
  close(): void;
}

/** Options of {@linkcode openRun}. */
export interface OpenRunOptions {
  /** Messages show the path relative to this folder when the file is inside it. */
  cwd?: string;
  /** The file's size, when the caller checked already that it is a regular file (no new look). */
  size?: number;
  /**
   * The caller needs the meta first (`tph logs`): a JSON run larger than 16 MB is read for its
   * top-level fields alone, in bounded memory, and read whole only when its calls are asked for.
   */
  metaFirst?: boolean;
  /**
   * A run written raw at the program's end (raw_run.ts) is opened as it is, for its meta alone
   * (addMeta), not made into a run file first.
   */
  rawAsIs?: boolean;
}

/** Makes a run file at `path` from a raw run's bytes (raw_run.ts, convertRawRun). */
export type RawConverter = (raw: Uint8Array, path: string, fail: (why: string) => Error) => void;
let rawConverter: RawConverter | null = null;
/** A raw run of another layout than this tph writes (an earlier tph's, run then upgraded). */
const OTHER_RAW =
  "it was written raw by another version of tph, which this one cannot read: run the program again";

/**
 * Say how a raw run is made into a run file when first read (the CLI sets it: the converter is
 * the recorder's writer, which only a command that reads calls loads).
 */
export function setRawConverter(convert: RawConverter | null): void {
  rawConverter = convert;
}

/**
 * Make the raw run at `path` a run file: in its place (written beside it, then renamed over it: a
 * reader that opened it before reads the raw run it had), or, where its folder cannot be written, in
 * a temporary file. Returns the run file's path.
 */
function convertRaw(path: string, fail: (why: string) => StoreError): string {
  let raw: Uint8Array;
  try {
    raw = readBytes(path);
  } catch (e) {
    throw fail(fileProblem(e));
  }
  // Cut short (the program's process killed while it wrote): said as of any run file.
  const magic = raw.length >= RUN_MAGIC.length + TRAILER_BYTES
    ? decoder.decode(raw.subarray(raw.length - 8))
    : "";
  if (magic !== TRAILER_MAGIC) throw fail("the run file is truncated (it was cut short)");
  // Made a run file meanwhile, by another command reading it at the same time.
  if (!isRaw(raw[7])) return path;
  if (!isReadableRaw(raw[7])) throw fail(OTHER_RAW);
  const attempt = (dest: string) => {
    try {
      rawConverter!(raw, dest, (why) => new Error(why));
    } catch (e) {
      try {
        remove(dest);
      } catch {
        // Not made.
      }
      throw e;
    }
  };
  const code = (e: unknown) => (e as { code?: unknown })?.code;
  try {
    const tmp = tempBeside(path);
    try {
      attempt(tmp);
    } catch (e) {
      const c = code(e);
      if (c !== "EACCES" && c !== "EROFS" && c !== "EPERM") throw e;
      const elsewhere = makeTempFile("tph-run-");
      // Private before anything of the run is in it, as the cache's runs are.
      chmod(elsewhere, 0o600);
      attempt(elsewhere);
      return elsewhere;
    }
    rename(tmp, path);
    return path;
  } catch (e) {
    if (e instanceof StoreError) throw e;
    // A file system's error names its reason; anything else is the raw run not adding up (said
    // as of a run file: its bytes changed, whatever they decode to).
    if (typeof code(e) === "string") throw fail(fileProblem(e));
    throw fail("the run file is truncated or damaged");
  }
}

/**
 * Each of `paths` that opens as a run, in turn, closed after `use` (one that does not is skipped:
 * the runs a program stored, which anyone may have removed meanwhile).
 *
 * @param paths Run files.
 * @param use What to read of each.
 */
export function eachRun(
  paths: readonly string[],
  use: (file: RunFile, path: string) => void,
): void {
  for (const path of paths) {
    let file;
    try {
      file = openRun(path);
    } catch {
      continue;
    }
    try {
      use(file, path);
    } finally {
      file.close();
    }
  }
}

/**
 * Open a run file: tph's format or JSON.
 *
 * @param path The file.
 * @param options Where messages show paths from.
 * @throws {StoreError} One line naming the run: not a run, truncated, a newer format, unreadable.
 */
export function openRun(path: string, options: OpenRunOptions = {}): RunFile {
  const name = displayPath(path, options.cwd);
  const fail = (why: string) => new StoreError(`Cannot read run "${name}": ${why}`);
  let reader: FileReader;
  try {
    if (options.size === undefined && isSpecialFile(path)) throw fail("not a regular file");
    reader = new FileReader(path);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw fail(fileProblem(e));
  }
  const head = new Uint8Array(RUN_MAGIC.length);
  const got = reader.read(head, 0);
  // An empty run file (nothing was written to it: a full disk, a process killed at once) is said
  // as one, not as a JSON run that is not JSON.
  if (got === 0 && path.endsWith(RUN_EXTENSION)) {
    reader.close();
    throw fail("the run file is empty (nothing was written to it)");
  }
  if (got < RUN_MAGIC.length - 1 || !RUN_MAGIC.subarray(0, 7).every((b, i) => head[i] === b)) {
    reader.close();
    return jsonRun(path, options);
  }
  // A raw run is made a run file first, unless only its meta is wanted.
  const asIs = options.rawAsIs === true || options.metaFirst === true;
  // A raw run of a layout newer than this tph's: whatever else fails in it, upgrade tph.
  const newerRaw = got === RUN_MAGIC.length && isRaw(head[7]) && head[7] > RAW_FORMAT;
  if (newerRaw && !asIs) {
    reader.close();
    throw fail(newerRawProblem(head[7]));
  }
  if (got === RUN_MAGIC.length && isRaw(head[7]) && !asIs) {
    reader.close();
    if (!isReadableRaw(head[7])) throw fail(OTHER_RAW);
    if (rawConverter === null) {
      throw fail("it was written raw at the program's end: read it with tph tree, view or export");
    }
    const made = convertRaw(path, fail);
    if (made === path) return openRun(path, { ...options, size: undefined });
    // Made in a temporary file (the run's folder cannot be written): gone once closed... or now,
    // where an open file can be removed.
    const run = openRun(made, { ...options, size: undefined });
    try {
      remove(made);
    } catch {
      // Removed when the system lets it.
    }
    return run;
  }
  try {
    if (got < RUN_MAGIC.length) throw fail("the run file is truncated (it was cut short)");
    if (head[7] > RUN_FORMAT_VERSION && !(isRaw(head[7]) && asIs)) {
      throw fail(
        `written in run format ${head[7]}, this tph reads up to ${RUN_FORMAT_VERSION}; upgrade tph`,
      );
    }
    const size = options.size ?? stat(path).size;
    return new BinaryRun(path, name, reader, size, fail, head[7]);
  } catch (e) {
    reader.close();
    // A newer raw layout's trailer or meta may be laid out otherwise: not "truncated", upgrade tph.
    if (newerRaw && e instanceof StoreError) throw fail(newerRawProblem(head[7]));
    throw e;
  }
}

/** Why a raw run of a layout newer than this tph's (`byte`, above RAW_FORMAT) is not read. */
function newerRawProblem(byte: number): string {
  const hex = (b: number) => `0x${b.toString(16)}`;
  return `written raw by a newer tph (raw layout ${hex(byte)}, this tph reads up to ` +
    `${hex(RAW_FORMAT)}); upgrade tph`;
}

export { isRunFormat } from "./run_kind.ts";

/** JSON runs larger than this are read for their meta alone where that is all a command needs. */
const READ_WHOLE_UP_TO = 16 << 20;

/** A JSON run, read whole (with `metaFirst`, a large one when its calls are asked for). */
function jsonRun(path: string, options: OpenRunOptions): RunFile {
  let meta: RunMeta;
  let trace: CallNodeJSON[] | null = null;
  if (options.metaFirst && (options.size ?? stat(path).size) > READ_WHOLE_UP_TO) {
    const name = displayPath(path, options.cwd);
    let fields: Record<string, unknown>;
    try {
      fields = readJsonMeta(path);
    } catch (e) {
      if (e instanceof JsonMetaError) {
        throw new StoreError(`Cannot read run "${name}": ${e.message}`);
      }
      throw new StoreError(`Cannot read run "${name}": ${fileProblem(e)}`);
    }
    const { trace: _, ...checked } = validateRun({ ...fields, trace: [] }, name);
    meta = checked;
  } else {
    const run = loadRun(path, options);
    ({ trace, ...meta } = run);
  }
  const calls = () => trace ??= loadRun(path, options).trace;
  let source: CallSource | null = null;
  const records = () => source ??= nodeCalls(calls());
  return {
    path,
    binary: false,
    meta,
    tree: () => ({
      roots: calls(),
      cut: new Map(),
      droppedUnderCalls: countBelow(calls()).dropped,
    }),
    scan: (visit) => records().scan(visit),
    nodeAt: (position, start) => records().nodeAt(position, start),
    get functions() {
      return records().functions;
    },
    get records() {
      return records().records;
    },
    // What the run counts as left out, less what its calls hold (a JSON run may not say).
    get droppedAtRoot() {
      return Math.max(0, (meta.dropped_calls ?? 0) - countBelow(calls()).dropped);
    },
    writeJSON(out: ByteSink) {
      // The file as it is, a chunk at a time.
      const reader = new FileReader(path);
      try {
        const buf = new Uint8Array(CHUNK);
        for (let at = 0, n = reader.read(buf, 0); n > 0; n = reader.read(buf, at)) {
          out.write(buf, n);
          at += n;
        }
      } finally {
        reader.close();
      }
    },
    close() {},
  };
}

const CHUNK = 1 << 20;
const floor = Math.floor;
/** Bytes read at a time of the skip index. */
const INDEX_CHUNK = 1 << 16;
/** A varint of 8 bytes holds 56 bits, enough for every number a run file has (at most 2^53). */
const MAX_VARINT_BYTES = 8;
/** The fewest bytes a call record takes: function, flags, descendants, start. */
const MIN_RECORD_BYTES = 4;
// A text may start with U+FEFF: it is kept (by default a decoder drops it).
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Reads the calls section a chunk at a time. */
class Cursor {
  buf: Uint8Array;
  /** The file offset of buf[0], and of the end of what buf holds. */
  start = 0;
  end = 0;
  /** The file offset of the next byte to read. */
  pos: number;
  /** Bytes from here on stay in `buf` when it is filled again (the record being read). */
  keep: number;

  readonly file: FileReader;
  readonly limit: number;
  /** The error a damaged value is (RawCall.text), naming the run. */
  readonly damaged: () => Error;
  /** The values table the values refer to (format 3), or null (formats 1 and 2). */
  table: ValuesTable | null = null;
  /**
   * Whether the records are read over (a subtree not visited): a value's entry of the values
   * table is not read then (its block may be one no visited call refers to).
   */
  over = false;
  constructor(
    file: FileReader,
    from: number,
    limit: number,
    chunk = CHUNK,
    damaged: () => Error = () => new Error("damaged"),
  ) {
    this.file = file;
    this.limit = limit;
    this.damaged = damaged;
    this.pos = this.keep = from;
    this.buf = new Uint8Array(Math.max(16, Math.min(chunk, limit - from)));
  }

  /** Go forward to `to` (nothing before it is kept). */
  jump(to: number): void {
    this.pos = this.keep = to;
  }

  /** Make `n` bytes from `pos` available in `buf`, and keep those from `keep`. */
  need(n: number): void {
    if (this.pos + n <= this.end) return;
    if (this.pos + n > this.limit) throw new Error("truncated");
    // What buf holds from `keep` on moves to its front (none after a jump past it).
    const from = this.keep >= this.start && this.keep <= this.end ? this.keep : this.pos;
    const kept = from < this.end ? this.end - from : 0;
    if (this.pos + n - from > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n - from));
      grown.set(this.buf.subarray(from - this.start, from - this.start + kept));
      this.buf = grown;
    } else if (kept > 0) this.buf.copyWithin(0, from - this.start, this.end - this.start);
    this.start = from;
    const at = from + kept;
    const want = Math.min(this.buf.length - kept, this.limit - at);
    const got = this.file.read(this.buf.subarray(kept, kept + want), at);
    this.end = at + got;
    if (this.end < this.pos + n) throw new Error("truncated");
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++ - this.start];
  }

  varint(): number {
    // Most varints are one byte, and most are in the buffer already: no call per byte then.
    const at = this.pos - this.start;
    if (this.pos + 8 <= this.end) {
      const buf = this.buf;
      let b = buf[at];
      if (b < 0x80) {
        this.pos++;
        return b;
      }
      let v = b & 0x7f, scale = 0x80, i = at + 1;
      for (; i < at + MAX_VARINT_BYTES; i++) {
        b = buf[i];
        v += (b & 0x7f) * scale;
        if (b < 0x80) {
          this.pos += i - at + 1;
          return v;
        }
        scale *= 0x80;
      }
    }
    let v = 0, scale = 1;
    for (let k = 0; k < MAX_VARINT_BYTES; k++) {
      const b = this.byte();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
    // No count or offset of a file takes more than 53 bits: longer is damage, not a number.
    throw new Error("varint too long");
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /**
   * A value: its tag, and (a text) where its bytes are, passed over; an entry of the values table
   * as the entry's tag, where (RawCall.at) -1 - its entry.
   */
  value(r: RawCall, k: number): void {
    let tag = this.varint();
    if (tag % 2 === 1) {
      r.tags[k] = tag;
      return;
    }
    const table = this.table;
    if (table !== null && tag % 4 === 2) {
      if (tag % 8 === 6) {
        const e = (tag - 6) / 8;
        if (e >= table.count) throw new Error("no such entry");
        // Its block read from the file on first use (a damaged one: a StoreError saying so).
        if (!table.whole && !this.over) {
          const b = floor(e / TABLE_BLOCK);
          if (table.read[b] === 0) table.readBlock(b, true);
        }
        r.tags[k] = table.tags[e];
        r.at[k] = -1 - e;
        return;
      }
      // Format 3's escaped text (bytes × 8 + 2), as the older formats' tag (bytes × 4 + 2).
      tag = (tag - 2) / 2;
    }
    r.tags[k] = tag;
    const length = Math.floor(tag / 4);
    this.need(length);
    r.at[k] = this.pos;
    this.pos += length;
  }
}

const POSITIONS: string[] = [];
/** "0", "1", …: the names of an external call's arguments (one list, grown as needed). */
export function positions(n: number): readonly string[] {
  while (POSITIONS.length < n) POSITIONS.push(String(POSITIONS.length));
  return POSITIONS;
}

/** Every flag a record may have. */
const FLAGS_KNOWN = STATE_MASK | HAS_DROPPED | HAS_DROPPED_BELOW | HAS_AWAITED;

const isText = (v: unknown): boolean => typeof v === "string";

/** A format 4 entry's text: the lines after its first, and their hash (FunctionEntry). */
function textKnown(f: unknown[]): boolean {
  return f.length === 9 && Number.isSafeInteger(f[7]) && (f[7] as number) >= 0 &&
    Number.isSafeInteger(f[8]) && (f[8] as number) > 0 && (f[8] as number) <= 0xffffffff;
}

/**
 * What is wrong with a parsed functions table (`[[name, module, file, line, kind, params,
 * flags], …]`, format 4's with `span, textHash` where known), or null: every reader indexes it as
 * that shape.
 */
function badFunctionTable(table: unknown): string | null {
  if (!Array.isArray(table)) return "is not a list";
  for (let k = 0; k < table.length; k++) {
    const f = table[k];
    const ok = Array.isArray(f) && (f.length === 7 || textKnown(f)) && isText(f[0]) &&
      isText(f[1]) &&
      isText(f[2]) && Number.isSafeInteger(f[3]) && isText(f[4]) && Array.isArray(f[5]) &&
      f[5].every(isText) && Number.isSafeInteger(f[6]) && f[6] >= 0 && f[6] <= 0xff &&
      // The JSON names arguments by position for calls of kind "external" alone.
      ((f[6] & FN_EXTERNAL) !== 0) === (f[4] === "external");
    if (!ok) return `has a damaged entry (${k})`;
  }
  return null;
}

export { isEscapedText, isWhole, textLength, wholeOf };

/**
 * One call record as stored (see run_format.ts), for readers that work on its bytes. The object
 * is reused: it holds a call only while the visit it is given to runs.
 */
export class RawCall implements CallRecord {
  /** The file offset of the record (for {@linkcode RunFile.nodeAt}). */
  position = 0;
  fn = 0;
  flags = 0;
  /** Calls in its subtree, itself excluded. */
  descendants = 0;
  /** µs from the trace's start. */
  start = 0;
  /** µs (-1 for a call still open when the run ended). */
  elapsed = 0;
  /** Arguments; values are the arguments, then the return value or exception (if it ended). */
  args = 0;
  values = 0;
  /** Calls limits left out under it, and under its descendants. */
  dropped = 0;
  droppedBelow = 0;
  awaited = 0;
  /** The parameters' names, or the arguments' positions (an external call). */
  argNames: readonly string[] = [];
  /** A line shows what its state says. */
  readonly shows = -1;
  /** Per value: its tag, and the file offset of its text's bytes. */
  readonly tags: number[] = [];
  readonly at: number[] = [];

  readonly cursor: Cursor;
  constructor(cursor: Cursor) {
    this.cursor = cursor;
  }

  /** Its time in ms. */
  get elapsedMs(): number {
    return this.elapsed / 1000;
  }

  /** The buffer holding value k's bytes (a text's tag only): the record's, or the table's. */
  bufOf(k: number): Uint8Array {
    return this.at[k] < 0 ? this.cursor.table!.bytes : this.cursor.buf;
  }

  /** Where value k's text starts in `bufOf(k)` (a text's tag only). */
  offset(k: number): number {
    const at = this.at[k];
    return at < 0 ? this.cursor.table!.at[-1 - at] : at - this.cursor.start;
  }

  /** The entry of the values table value k is (a text's), or -1 (one of the record's own). */
  entry(k: number): number {
    const at = this.at[k];
    return this.tags[k] % 2 === 0 && at < 0 ? -1 - at : -1;
  }

  /** Value k as the JSON run holds it. */
  text(k: number): string {
    const tag = this.tags[k];
    if (tag % 2 === 1) return String(wholeOf(tag));
    const at = this.at[k];
    if (at < 0) {
      const table = this.cursor.table!, e = -1 - at;
      return textOf(table.bytes, table.at[e], tag, this.cursor.damaged);
    }
    return textOf(this.cursor.buf, at - this.cursor.start, tag, this.cursor.damaged);
  }
}

/** The text of tag `tag` whose bytes start at `from` of `buf`, as the JSON run holds it. */
function textOf(buf: Uint8Array, from: number, tag: number, damaged: () => Error): string {
  const text = decoder.decode(buf.subarray(from, from + Math.floor(tag / 4)));
  if (tag % 4 !== 2) return text;
  // The inside of a JSON string literal: nothing but that (no quote ends it early).
  let value: unknown;
  try {
    value = JSON.parse(`"${text}"`);
  } catch {
    throw damaged();
  }
  if (typeof value !== "string") throw damaged();
  return value;
}

/**
 * A run file's values table (format.ts, format 3), read as the calls use it: its count and block
 * index when the calls are first read, a block of TABLE_BLOCK entries from the file when a value
 * of a call read refers to one of it (Cursor.value; each block once): each entry's tag (an escaped
 * text's as the older formats', bytes × 4 + 2) and where its bytes are in `bytes`. A partial read
 * (`tph tree --max-depth`, `tph view`) reads the blocks its calls refer to, not the table. The
 * arrays are sized for the whole table, but written only where blocks are read (the pages of
 * those not read are never touched).
 */
class ValuesTable {
  readonly count: number;
  /** The entries' bytes (those of the blocks read). */
  readonly bytes: Uint8Array;
  readonly tags: Float64Array;
  readonly at: Float64Array;
  /** Per block, 1 once it is read. */
  readonly read: Uint8Array;
  /** Whether every block is read (readAll). */
  whole = false;
  readonly #file: FileReader;
  /** Per block, the file offset where it starts, and one more: where the entries end. */
  readonly #starts: Float64Array;
  readonly #damaged: (why: string) => Error;

  /**
   * @param count Its entries.
   * @param starts Where each block starts in the file, and where the last ends (checked).
   * @param damaged The error a damaged block is.
   */
  constructor(
    file: FileReader,
    count: number,
    starts: Float64Array,
    damaged: (why: string) => Error,
  ) {
    this.#file = file;
    this.count = count;
    this.#starts = starts;
    this.#damaged = damaged;
    const blocks = starts.length - 1;
    this.bytes = new Uint8Array(starts[blocks] - starts[0]);
    this.tags = new Float64Array(count);
    this.at = new Float64Array(count);
    this.read = new Uint8Array(blocks);
  }

  /**
   * Read every block not read yet, the table's bytes at once (a read of every call: `tph export`).
   * @throws {StoreError} The values table is damaged (what is wrong with it).
   */
  readAll(): void {
    const starts = this.#starts, blocks = this.read.length;
    if (this.#file.read(this.bytes, starts[0]) !== this.bytes.length) {
      throw this.#damaged("is cut short");
    }
    for (let b = 0; b < blocks; b++) if (this.read[b] === 0) this.readBlock(b, false);
    this.whole = true;
  }

  /**
   * Read block `b` (from the file, or in `bytes` already) and index its entries.
   * @throws {StoreError} The values table is damaged (what is wrong with it).
   */
  readBlock(b: number, fromFile: boolean): void {
    const base = this.#starts[0], from = this.#starts[b], end = this.#starts[b + 1] - base;
    const bytes = this.bytes;
    let pos = from - base;
    if (fromFile && this.#file.read(bytes.subarray(pos, end), from) !== end - pos) {
      throw this.#damaged("is cut short");
    }
    const first = b * TABLE_BLOCK, last = Math.min(first + TABLE_BLOCK, this.count);
    const tags = this.tags, at = this.at;
    for (let e = first; e < last; e++) {
      let tag = 0, scale = 1, v = 0x80;
      for (let k = 0; v >= 0x80; k++) {
        if (k === MAX_VARINT_BYTES || pos >= end) {
          throw this.#damaged(`has a block its entries overrun (block ${b})`);
        }
        v = bytes[pos++];
        tag += (v & 0x7f) * scale;
        scale *= 0x80;
      }
      if (tag % 8 === 6) throw this.#damaged(`holds a reference (entry ${e})`);
      if (tag % 8 === 2) tag = (tag - 2) / 2;
      tags[e] = tag;
      at[e] = pos;
      if (tag % 2 === 0) pos += Math.floor(tag / 4);
      if (pos > end) throw this.#damaged(`has a block its entries overrun (block ${b})`);
    }
    if (pos !== end) throw this.#damaged(`has a block its entries do not fill (block ${b})`);
    this.read[b] = 1;
  }
}

/** The longest value as JSON writeJSON keeps for its entry (JsonOfEntries). */
const MAX_KEPT_JSON = 4096;

/**
 * The values table's entries as JSON, each escaped once as writeJSON first writes it and copied
 * from here when it comes again: one slab of bytes, where each is in it and its length.
 */
class JsonOfEntries {
  slab: Uint8Array = new Uint8Array(1 << 16);
  #used = 0;
  readonly at: Float64Array;
  readonly length: Int32Array;
  constructor(count: number) {
    this.at = new Float64Array(count).fill(-1);
    this.length = new Int32Array(count);
  }

  /** Keep entry e's JSON, the bytes `out` wrote since `from` (none when it flushed between). */
  keep(e: number, out: Sink, from: number, flushed: number): void {
    const n = out.pos - from;
    if (out.flushed !== flushed || n > MAX_KEPT_JSON) return;
    if (this.#used + n > this.slab.length) {
      const grown = new Uint8Array(this.slab.length * 2);
      grown.set(this.slab.subarray(0, this.#used));
      this.slab = grown;
    }
    this.slab.set(out.buf.subarray(from, out.pos), this.#used);
    this.at[e] = this.#used;
    this.length[e] = n;
    this.#used += n;
  }
}

class BinaryRun implements RunFile {
  readonly binary = true;
  readonly meta: RunMeta;
  // Read on first use: `tph logs` needs the meta alone.
  #functions: FunctionEntry[] = [];
  readonly #skips = new Map<number, number>();
  /** The values table (format 3; its count and index read with the functions), or null. */
  #table: ValuesTable | null = null;
  readonly #version: number;
  #loaded = false;
  readonly #functionsAt: number;
  /** Where the meta starts, and the trailer (for addRunInfo, which writes the meta again). */
  readonly metaAt: number;
  readonly trailer = new Uint8Array(TRAILER_BYTES);
  readonly #fail: (why: string) => StoreError;
  /** The error a call record that cannot be decoded is. */
  readonly #damaged = (): StoreError =>
    new StoreError(`Cannot read run "${this.name}": the run file is truncated or damaged`);
  #records = 0;
  readonly #callsEnd: number;
  readonly #callCount: number;
  /** Call records in the file. */
  get records(): number {
    this.#load();
    return this.#records;
  }

  readonly path: string;
  readonly name: string;
  readonly file: FileReader;
  constructor(
    path: string,
    name: string,
    file: FileReader,
    size: number,
    fail: (why: string) => StoreError,
    version: number,
  ) {
    this.#version = version;
    this.path = path;
    this.name = name;
    this.file = file;
    const truncated = () => fail("the run file is truncated (it was cut short)");
    if (size < RUN_MAGIC.length + TRAILER_BYTES) throw truncated();
    const trailer = this.trailer;
    file.read(trailer, size - TRAILER_BYTES);
    if (decoder.decode(trailer.subarray(24)) !== TRAILER_MAGIC) throw truncated();
    const view = new DataView(trailer.buffer);
    const skipAt = view.getFloat64(0, true);
    const functionsAt = view.getFloat64(8, true);
    const metaAt = view.getFloat64(16, true);
    const end = size - TRAILER_BYTES;
    if (
      ![skipAt, functionsAt, metaAt].every(Number.isSafeInteger) ||
      !(RUN_MAGIC.length <= skipAt && skipAt < functionsAt && functionsAt < metaAt &&
        metaAt < end)
    ) {
      throw fail("not a tph run (its trailer does not add up)");
    }
    // A meta is a few kB: a trailer that says more is not tph's (nothing that large is read).
    if (end - metaAt > READ_WHOLE_UP_TO) throw fail("not a tph run (its meta is over 16 MB)");
    const read = (from: number, to: number) => {
      const b = new Uint8Array(to - from);
      file.read(b, from);
      return decoder.decode(b);
    };
    let meta: RunMeta;
    try {
      meta = JSON.parse(read(metaAt, end));
    } catch {
      throw fail("not a tph run (its meta is not JSON)");
    }
    const { trace: _, ...checked } = validateRun({ ...meta, trace: [] }, name);
    this.meta = checked;
    this.#callsEnd = skipAt;
    this.#callCount = meta.call_count;
    this.#functionsAt = functionsAt;
    this.metaAt = metaAt;
    this.#fail = fail;
  }

  /** Read the functions table and the skip index (once, before the calls are read). */
  #load(): void {
    if (this.#loaded) return;
    const fail = this.#fail;
    if (isRaw(this.#version)) {
      throw fail("it was written raw at the program's end: open it again to read its calls");
    }
    this.#loaded = true;
    const b = new Uint8Array(this.metaAt - this.#functionsAt);
    this.file.read(b, this.#functionsAt);
    let functions: unknown;
    try {
      functions = JSON.parse(decoder.decode(b));
    } catch {
      throw fail("not a tph run (its function table is not JSON)");
    }
    const bad = badFunctionTable(functions);
    if (bad !== null) throw fail(`not a tph run (its function table ${bad})`);
    this.#functions = functions as FunctionEntry[];
    // The skip index and the values table's count: what follows (the table's entries) is not read.
    const c = new Cursor(this.file, this.#callsEnd, this.#functionsAt, INDEX_CHUNK);
    // Every count and offset is checked against the file before anything is sized by it.
    const damaged = (why: string) => fail(`the run file is damaged (its skip index ${why})`);
    let count: number;
    try {
      this.#records = c.varint();
      count = c.varint();
    } catch {
      throw damaged("is cut short");
    }
    const callBytes = this.#callsEnd - RUN_MAGIC.length;
    if (
      this.#records > callBytes / MIN_RECORD_BYTES || (this.#records === 0) !== (callBytes === 0)
    ) {
      throw damaged(`counts ${this.#records} calls in ${callBytes} bytes of calls`);
    }
    // An entry takes at least two bytes.
    if (count > (this.#functionsAt - c.pos) / 2) throw damaged(`counts ${count} entries`);
    for (let k = 0; k < count; k++) {
      let ordinal: number, offset: number;
      try {
        ordinal = c.varint();
        offset = c.varint();
      } catch {
        throw damaged("is cut short");
      }
      if (ordinal >= this.#records || offset <= RUN_MAGIC.length || offset > this.#callsEnd) {
        throw damaged("points outside the calls");
      }
      this.#skips.set(ordinal, offset);
    }
    if (this.#version >= VALUES_TABLE_VERSION) this.#table = this.#readTable(c);
  }

  /**
   * The values table, from the cursor (after the skip index) to the functions: its count and its
   * block index (format.ts), checked against each other and the file; its entries are read as
   * the calls refer to them (ValuesTable).
   */
  #readTable(c: Cursor): ValuesTable {
    const damaged = (why: string) =>
      this.#fail(`the run file is damaged (its values table ${why})`);
    let count: number;
    try {
      count = c.varint();
    } catch {
      throw damaged("is cut short");
    }
    const from = c.pos, lengthAt = this.#functionsAt - TABLE_INDEX_LENGTH_BYTES;
    if (lengthAt < from) throw damaged("is cut short");
    const tail = new Uint8Array(TABLE_INDEX_LENGTH_BYTES);
    if (this.file.read(tail, lengthAt) !== tail.length) throw damaged("is cut short");
    const indexBytes = new DataView(tail.buffer).getUint32(0, true);
    const indexAt = lengthAt - indexBytes;
    if (indexAt < from) throw damaged(`has an index of ${indexBytes} bytes, past its start`);
    // An entry takes a byte at least; a block's size a varint of a byte at least.
    const bytes = indexAt - from;
    if (count > bytes) throw damaged(`counts ${count} entries in ${bytes} bytes`);
    const blocks = Math.ceil(count / TABLE_BLOCK);
    if (indexBytes < blocks || indexBytes > blocks * MAX_VARINT_BYTES) {
      throw damaged(`has an index of ${indexBytes} bytes for ${blocks} blocks`);
    }
    const index = new Uint8Array(indexBytes);
    if (this.file.read(index, indexAt) !== indexBytes) throw damaged("is cut short");
    const starts = new Float64Array(blocks + 1);
    starts[0] = from;
    let pos = 0;
    for (let b = 0; b < blocks; b++) {
      let size = 0, scale = 1, v = 0x80;
      for (let k = 0; v >= 0x80; k++) {
        if (k === MAX_VARINT_BYTES || pos >= indexBytes) throw damaged("index is cut short");
        v = index[pos++];
        size += (v & 0x7f) * scale;
        scale *= 0x80;
      }
      // Each of its entries a byte at least, and inside the entries.
      const entries = Math.min(TABLE_BLOCK, count - b * TABLE_BLOCK);
      if (size < entries || starts[b] + size > indexAt) {
        throw damaged(`index does not add up (block ${b})`);
      }
      starts[b + 1] = starts[b] + size;
    }
    if (pos !== indexBytes || starts[blocks] !== indexAt) throw damaged("index does not add up");
    return new ValuesTable(this.file, count, starts, damaged);
  }

  /** Read the record at the cursor into `r`. */
  #parse(c: Cursor, r: RawCall, parentStart: number): void {
    c.keep = r.position = c.pos;
    const fn = c.varint();
    const flags = c.byte();
    r.fn = fn;
    r.flags = flags;
    // Only the flags this format knows, and a state of the three.
    if (flags > FLAGS_KNOWN || (flags & STATE_MASK) === STATE_MASK) throw new Error("flags");
    r.descendants = c.varint();
    r.start = parentStart + c.zigzag();
    const ended = (flags & STATE_MASK) !== UNFINISHED;
    r.elapsed = ended ? c.varint() : -1;
    if (fn >= this.#functions.length) throw new Error("function out of range");
    const f = this.#functions[fn];
    const external = (f[6] & FN_EXTERNAL) !== 0;
    const count = external ? c.varint() : f[5].length;
    // A value takes a byte at least.
    if (count > c.limit - c.pos) throw new Error("argument count");
    r.args = count;
    r.argNames = external ? positions(count) : f[5];
    r.values = ended ? count + 1 : count;
    for (let k = 0; k < r.values; k++) c.value(r, k);
    r.dropped = (flags & HAS_DROPPED) !== 0 ? c.varint() : 0;
    r.droppedBelow = (flags & HAS_DROPPED_BELOW) !== 0 ? c.varint() : 0;
    r.awaited = (flags & HAS_AWAITED) !== 0 ? c.varint() : 0;
    if (r.awaited > 0 && !(r.awaited <= r.elapsed)) throw new Error("time awaiting");
  }

  get droppedAtRoot(): number {
    // With no call stored, every call left out was at the top.
    return this.records === 0 ? this.meta.dropped_calls ?? 0 : this.meta.dropped_at_root ?? 0;
  }

  /** The functions table (read on first use). */
  get functions(): readonly FunctionEntry[] {
    this.#load();
    return this.#functions;
  }

  /**
   * Visit the calls in pre-order with their depth (0 for roots); `visit` returns false to skip
   * the call's subtree (read over, or jumped over through the skip index).
   */
  readonly scan: ScanCalls = (visit) => {
    this.#load();
    const damaged = this.#damaged;
    const c = new Cursor(this.file, RUN_MAGIC.length, this.#callsEnd, CHUNK, damaged);
    c.table = this.#table;
    const r = new RawCall(c);
    const records = this.#records;
    // Anything wrong while decoding is a damaged file; what `visit` throws is its own.
    const read = (parentStart: number) => {
      try {
        this.#parse(c, r, parentStart);
      } catch (e) {
        // A damaged values table says so (ValuesTable).
        if (e instanceof StoreError) throw e;
        throw damaged();
      }
    };
    // Open calls: where their subtrees end (an ordinal) and their starts.
    const ends: number[] = [];
    const starts: number[] = [];
    let ordinal = 0;
    while (c.pos < this.#callsEnd) {
      while (ends.length > 0 && ends[ends.length - 1] < ordinal) {
        ends.pop();
        starts.pop();
      }
      // More records than the index counts: readers sized their tables by that count.
      if (ordinal >= records) throw damaged();
      const depth = ends.length;
      read(depth === 0 ? 0 : starts[depth - 1]);
      const here = ordinal++;
      const descendants = r.descendants;
      // A subtree stays inside its caller's, and inside the run.
      const last = depth === 0 ? records - 1 : ends[depth - 1];
      if (descendants > last - here) throw damaged();
      if (!visit(r, depth) && descendants > 0) {
        const to = descendants >= SKIP_MIN ? this.#skips.get(here) : undefined;
        // Only forward: a damaged index must not send the reader back (or round in circles).
        if (to !== undefined && to > c.pos) c.jump(to);
        else {
          // Read over the subtree: the records' starts and values' entries do not matter here.
          c.over = true;
          for (let k = 0; k < descendants; k++) read(0);
          c.over = false;
        }
        ordinal += descendants;
        continue;
      }
      if (descendants > 0) {
        ends.push(here + descendants);
        starts.push(r.start);
      }
    }
    // Fewer records than counted, or a subtree that claims calls the file does not hold.
    if (ordinal !== records || c.pos !== this.#callsEnd) throw damaged();
  };

  #node(r: CallRecord): CallNodeJSON {
    const f = this.#functions[r.fn];
    const external = (f[6] & FN_EXTERNAL) !== 0;
    const state = r.flags & STATE_MASK;
    const args: Record<string, string> = {};
    for (let a = 0; a < r.args; a++) args[external ? String(a) : f[5][a]] = r.text(a);
    const node = {
      name: f[0],
      module: f[1],
      file: f[2],
      line: f[3],
      kind: f[4],
      args,
      return_value: state === UNFINISHED || state === THREW ? null : r.text(r.args),
    } as CallNodeJSON;
    if (state === THREW) node.exception = r.text(r.args);
    node.start_ms = r.start / 1000;
    node.elapsed_ms = state === UNFINISHED ? null : r.elapsed / 1000;
    if (r.awaited > 0) node.awaited_ms = r.awaited / 1000;
    if (state === UNFINISHED) node.unfinished = true;
    if ((f[6] & FN_ASYNC) !== 0) node.async = true;
    if (external) node.external = true;
    if (r.dropped > 0) node.dropped = r.dropped;
    node.children = [];
    return node;
  }

  readonly nodeAt = (position: number, start: number): CallNodeJSON => {
    this.#load();
    // One record: a small buffer, grown if it needs more.
    const c = new Cursor(this.file, position, this.#callsEnd, 4096, this.#damaged);
    c.table = this.#table;
    const r = new RawCall(c);
    try {
      // The start is relative to the parent's: given whole, from 0.
      this.#parse(c, r, 0);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw this.#damaged();
    }
    r.start = start;
    return this.#node(r);
  };

  tree(maxDepth = Infinity): RunTree {
    const roots: CallNodeJSON[] = [];
    const cut = new Map<CallNodeJSON, CutBelow>();
    const open: CallNodeJSON[] = [];
    let droppedUnderCalls = 0;
    this.scan((r, depth) => {
      const node = this.#node(r);
      (depth === 0 ? roots : open[depth - 1].children).push(node);
      open[depth] = node;
      if (depth === 0) droppedUnderCalls += r.dropped + r.droppedBelow;
      if (depth + 1 >= maxDepth && r.descendants > 0) {
        cut.set(node, { calls: r.descendants, dropped: r.droppedBelow });
        return false;
      }
      return true;
    });
    return { roots, cut, droppedUnderCalls };
  }

  writeJSON(target: ByteSink, step?: (done: number) => void): void {
    this.#load();
    const out = new Sink(target);
    let done = 0;
    const { run, ...head } = this.meta;
    const text = JSON.stringify(head);
    out.bytes(new TextEncoder().encode(text.slice(0, -1) + ',"trace":['));
    const parts: (FunctionBytes | undefined)[] = [];
    const partsOf = (k: number): FunctionBytes => {
      const f = this.#functions[k];
      return parts[k] ??= functionParts(f);
    };
    const P = JSON_PARTS;
    const value = (v: string) => out.json(v, 0, v.length);
    // An entry of the values table (format 3) escaped once, then copied.
    const table = this.#table;
    // Every entry a call refers to is read: the table in one read.
    table?.readAll();
    const kept = table !== null ? new JsonOfEntries(table.count) : null;
    const valueOf = (r: CallRecord, k: number) => {
      // This run's scan gives its own records.
      const e = kept !== null ? (r as RawCall).entry(k) : -1;
      if (e < 0) return value(r.text(k));
      const at = kept!.at[e];
      if (at >= 0) return out.bytesAt(kept!.slab, at, kept!.length[e]);
      out.room();
      const from = out.pos, flushed = out.flushed;
      value(r.text(k));
      kept!.keep(e, out, from, flushed);
    };
    // How many children are still to come at each open level: closing brackets follow.
    const pending: number[] = [];
    let first = true;
    const closeUpTo = (depth: number) => {
      while (pending.length > depth) {
        pending.pop();
        out.bytes(P.CLOSE);
      }
    };
    this.scan((r, depth) => {
      if (step !== undefined) step(++done);
      closeUpTo(depth);
      if (!first && depth === pending.length) out.bytes(P.COMMA);
      first = false;
      const fp = partsOf(r.fn);
      const state = r.flags & STATE_MASK;
      out.bytes(fp.head);
      for (let a = 0; a < r.args; a++) {
        out.bytes(fp.external ? positionKey(a) : fp.keys[a]);
        valueOf(r, a);
      }
      out.bytes(P.RETURN_VALUE);
      if (state !== UNFINISHED && state !== THREW) valueOf(r, r.args);
      else out.bytes(P.NULL);
      if (state === THREW) {
        out.bytes(P.EXCEPTION);
        valueOf(r, r.args);
      }
      out.bytes(P.START);
      out.room();
      out.thousandths(r.start, false);
      out.bytes(P.ELAPSED);
      out.room();
      if (state !== UNFINISHED) {
        out.thousandths(r.elapsed, true);
        if (r.awaited > 0) {
          out.bytes(P.AWAITED);
          out.room();
          out.thousandths(r.awaited, true);
        }
      } else out.bytes(P.NULL);
      if (state === UNFINISHED) out.bytes(P.UNFINISHED);
      out.bytes(fp.tail);
      if (r.dropped > 0) {
        out.bytes(P.DROPPED);
        out.bytes(new TextEncoder().encode(String(r.dropped)));
      }
      out.bytes(P.CHILDREN);
      pending.push(r.descendants);
      // A leaf closes at once; the next record says where the others close.
      if (r.descendants === 0) {
        pending.pop();
        out.bytes(P.CLOSE);
      } else first = true;
      return true;
    });
    closeUpTo(0);
    const tail = run === undefined ? "]}\n" : `],"run":${JSON.stringify(run)}}\n`;
    out.bytes(new TextEncoder().encode(tail));
    out.flush();
  }

  close(): void {
    this.file.close();
  }

  /** Calls in the run (its call_count). */
  get callCount(): number {
    return this.#callCount;
  }
}

/**
 * Add how the program ended (`run`) to a run file in tph's format, as its meta's last field: the
 * meta and the trailer are written again in place, nothing else of the file is read or moved.
 *
 * @param path The run file the program's process wrote.
 * @param run The fields to add.
 * @returns The run's top-level fields with `run`; null when the file is not a whole run file
 *   (the program's process was cut off while it wrote it).
 */
export function addRunInfo(path: string, run: RunInfo): RunMeta | null {
  return addMeta(path, { run });
}

/**
 * Set top-level fields of a run file in tph's format in place (its meta is rewritten; its calls
 * are not read).
 *
 * @param path The run file.
 * @param fields The fields to set.
 * @returns The run's top-level fields; null when the file is not a whole run file.
 */
export function addMeta(path: string, fields: Record<string, unknown>): RunMeta | null {
  let file: RunFile;
  try {
    file = openRun(path, { rawAsIs: true });
  } catch {
    return null;
  }
  file.close();
  if (!(file instanceof BinaryRun)) return null;
  const { metaAt, trailer } = file;
  const meta = { ...file.meta, ...fields } as RunMeta;
  const bytes = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(bytes.length + TRAILER_BYTES);
  out.set(bytes);
  out.set(trailer, bytes.length);
  writeAt(path, metaAt, out);
  truncateFile(path, metaAt + out.length);
  return meta;
}

/**
 * Write a run as the JSON format to `path` (a run in tph's format is exported, streaming; a JSON
 * run copied), as openOutput writes it.
 *
 * @param file The run file.
 * @param path Where the JSON goes.
 */
export function exportRunFile(file: string, path: string): void {
  const run = openRun(file);
  try {
    writeOutputSync(path, (out) => run.writeJSON(out));
  } finally {
    run.close();
  }
}
