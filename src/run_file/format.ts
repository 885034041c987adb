// The run file format (version 4): what `tph run` stores, made for reading back a part of a run
// without the rest. docs/run_format.md gives the reasons; in short:
//
//   "TPHRUN\0\x04"                      8 bytes: magic, format version 4 (3: no functions'
//                                       texts; 2: no values table either; 1: no HAS_AWAITED)
//   calls                               pre-order records (below), from byte 8
//   skip index                          where the subtrees of big calls end
//   values table                        (format 3) values the calls refer to, each written once
//   functions                           JSON: [[name, module, file, line, kind, params, flags], …]
//                                       (flags: call_state.ts, FN_ASYNC | FN_EXTERNAL); format 4:
//                                       with `span, textHash` after flags where the text is known
//   meta                                JSON: every top-level field of the JSON run but `trace`
//   trailer                             32 bytes: skip index, functions and meta offsets (f64 LE),
//                                       "TPHEND01"
//
// A call record, in pre-order (a call, then its children's subtrees, in call order):
//
//   varint  function (index into functions)
//   byte    flags: state (call_state.ts: RETURNED, THREW, UNFINISHED) | HAS_DROPPED | HAS_DROPPED_BELOW
//           | HAS_AWAITED
//   varint  descendants (calls in its subtree, itself excluded)
//   zigzag  start − its parent's start (a root: the trace's), in µs (the JSON's start_ms × 1000)
//   varint  elapsed µs                         unless UNFINISHED
//   varint  argument count                     external calls only (others: their parameters)
//   value…  arguments
//   value   return value (RETURNED) or exception text (THREW)
//   varint  calls left out under it            when HAS_DROPPED
//   varint  calls left out under its descendants   when HAS_DROPPED_BELOW
//   varint  µs of its time spent suspended (awaiting, between yields)   when HAS_AWAITED
//
// A value is a varint tag: odd, a whole number n (the JSON's `"n"`), tag = zigzag(n) × 2 + 1;
// a multiple of 4, a UTF-8 text of tag / 4 bytes follows. Varints are LEB128, zigzag maps 0, −1, 1, −2…
// to 0, 1, 2, 3…. A text with a lone surrogate (which UTF-8 cannot hold) is stored as the
// inside of its JSON literal instead: format 3, tag = bytes × 8 + 2 (formats 1, 2: bytes × 4 + 2).
// Format 3: tag = e × 8 + 6 is entry e of the values table (from 0), nothing follows.
// The skip index: varint calls (records), varint count, then per entry varint ordinal (pre-order index of the call)
// and varint offset (the byte after its subtree), in the order the subtrees end, for every call
// with at least SKIP_MIN descendants: a reader skips a smaller subtree by reading over it.
// The values table (format 3), right after the skip index up to the functions: varint entries,
// then each entry a value (a whole number or a text, never an entry), in the order of first use:
// the writer stores a kept string or text the calls hold by index once, whatever its occurrences.
// The entries are in blocks of TABLE_BLOCK (the last one may hold fewer); after them the block
// index, per block a varint: its bytes; then 4 bytes (u32 LE): the block index's bytes. A reader
// reads the count and the index up front, and a block of entries when a call refers to one of it.
//
// The meta is last, so `tph logs` reads 32 bytes and the meta, and tph adds how the program
// ended (`run`) by rewriting the meta and the trailer.

import { Uint8Array } from "../platform/globals.ts";
/** The format version this tph writes, and the newest it reads (it reads every older one). */
export const RUN_FORMAT_VERSION = 4;
/** The first bytes of a run file: "TPHRUN", 0, and the format version. */
export const RUN_MAGIC: Uint8Array = new Uint8Array([
  0x54,
  0x50,
  0x48,
  0x52,
  0x55,
  0x4e,
  0,
  RUN_FORMAT_VERSION,
]);
/** The first format with the values table (and escaped texts' tags of bytes × 8 + 2). */
export const VALUES_TABLE_VERSION = 3;
/** Entries of the values table in a block (format 3): the block index has each block's bytes. */
export const TABLE_BLOCK = 256;
/** Bytes of the values table's last field, the block index's bytes (u32 LE). */
export const TABLE_INDEX_LENGTH_BYTES = 4;
/** Bytes of the trailer. */
export const TRAILER_BYTES = 32;
/** The trailer's last 8 bytes. */
export const TRAILER_MAGIC = "TPHEND01";
/** Mask of the state (call_state.ts: RETURNED, THREW, UNFINISHED) in a record's flags. */
export const STATE_MASK = 3;
/** Flag: a count of calls left out under this one follows the record. */
export const HAS_DROPPED = 4;
/** Flag: a count of calls left out under its descendants follows (for a reader that skips them). */
export const HAS_DROPPED_BELOW = 8;
/** Flag (format 2): the µs the call spent suspended follow the record. */
export const HAS_AWAITED = 16;
/** Calls with at least this many descendants have their subtree's end in the skip index. */
export const SKIP_MIN = 256;
/**
 * The 8th byte of a run written raw at the program's end (src/program/recorder/raw_run.ts), made
 * a run file when first read: never a format version. 0x83: the first raw layout (values by tag);
 * 0x84: functions without their texts (format 4's).
 */
export const RAW_FORMAT = 0x85;
/** Whether a raw run's layout is one this tph converts: its own, or 0x84 (the same but texts). */
export const isReadableRaw = (byte: number): boolean => byte === RAW_FORMAT || byte === 0x84;
/** Whether a run's 8th byte is a raw run's, of this layout or another (isRunFormat: none are). */
export const isRaw = (byte: number): boolean => byte >= 0x80;
/** The extension of run files in this format. */
export const RUN_EXTENSION = ".tph";

/**
 * A function as the functions table holds it; from format 4, with its text where known: how many
 * lines follow its first in its file, and their hash (src/platform/hash.ts, spanHash), for
 * `tph lsp` to tell a function whose text changed since the run.
 */
export type FunctionEntry = FunctionHead | [...FunctionHead, span: number, textHash: number];

/** What every entry of the functions table holds. */
type FunctionHead = [
  name: string,
  module: string,
  file: string,
  line: number,
  kind: string,
  params: string[],
  flags: number,
];
