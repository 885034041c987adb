// What lets a runtime report positions in the source as written although it runs the rewritten
// code. The instrumenter only inserts text, never a line break, so a position moves only right, on
// its own line, by the text inserted before it there.
//
// - Bun reads no source map from a plugin (oven-sh/bun#6173): it reports positions in the code the
//   plugin returned. The column table lists, per line, where text was inserted and how much, so
//   that a reported column can be mapped back exactly (src/program/loader/bun_stacks.ts).
// - Deno reads the inline source map of the code a load hook returns (of a CommonJS module's code
//   tph hands it over, src/program/loader/deno_cjs_maps.ts). For TypeScript that is Deno's own map,
//   shifted (_shift_map.ts); a JavaScript file comes without one, so one is made.
//   Deno takes the segment at or before a reported column, without interpolating: the map has a
//   segment at every place V8 can report (every node's start, and the first token after each
//   node, which is where an operator, a call's `(` or a member's `.`/`[` stands).

import { CHILD_KEYS } from "./_parse.ts";
import { lineStarts } from "./_positions.ts";
import type { Node } from "./_names.ts";
import {
  Array,
  Int32Array,
  Map,
  parseInt,
  Set,
  TextEncoder,
  Uint8Array,
} from "../../platform/globals.ts";
import { ownArray, strSplit } from "../../platform/intrinsics.ts";

/** Offsets in the source (ascending) where text was inserted, and the length inserted at each. */
export interface Insertions {
  offsets: Float64Array;
  lengths: Int32Array;
}

/**
 * The column table of a rewritten source: lines separated by `;`, each the pairs `col,length`
 * (base 36; the column relative to the previous pair's on that line) of its insertions, a line
 * without any left empty and trailing empty lines left out.
 *
 * @param source The source before rewriting.
 * @param insertions Where text was inserted into it.
 * @returns The table ("" when nothing was inserted).
 */
export function columnTable(source: string, insertions: Insertions): string {
  const starts = lineStarts(source);
  const { offsets, lengths } = insertions;
  const lines: string[] = [];
  let line = 0, current = -1, text = "", prevCol = 0;
  const flush = () => {
    while (lines.length < current) lines.push("");
    lines.push(text);
  };
  for (let i = 0; i < offsets.length; i++) {
    const at = offsets[i];
    // Text inserted at a line's first offset stands on that line (after the line break).
    while (line + 1 < starts.length && starts[line + 1] <= at) line++;
    if (line !== current) {
      if (current >= 0) flush();
      current = line;
      text = "";
      prevCol = 0;
    }
    const col = at - starts[line];
    if (text !== "") text += ",";
    text += (col - prevCol).toString(36) + "," + lengths[i].toString(36);
    prevCol = col;
  }
  if (current >= 0) flush();
  return lines.join(";");
}

const BASE64 = new TextEncoder().encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
);

/** A growable byte buffer of VLQ text (ASCII). */
class VlqWriter {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  byte(b: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
  }

  vlq(n: number): void {
    let v = n < 0 ? ((-n) << 1) | 1 : n << 1;
    do {
      let digit = v & 31;
      v >>>= 5;
      if (v > 0) digit |= 32;
      this.byte(BASE64[digit]);
    } while (v > 0);
  }
}

/**
 * Mark every place in `source` that V8 can report for code of this program: each node's start,
 * and the first token after each node's end (operators, `(`, `.`, `[`, `,`).
 */
function reportablePlaces(source: string, program: Node): Uint8Array {
  const marks = new Uint8Array(source.length + 1);
  const stack: Node[] = [program];
  // Names that only name (a function's or class's, a property key): nothing happens there.
  const names = new Set<Node>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (child !== null && typeof child === "object") stack.push(child);
      }
      continue;
    }
    const start = node.start, end = node.end;
    const type = node.type;
    // A literal's value never throws: V8 reports the operation around it.
    if (
      typeof start === "number" && type !== "Literal" && type !== "TemplateElement" &&
      !names.has(node)
    ) marks[start] = 1;
    if (NAMED.has(type) && node.id) names.add(node.id);
    else if (KEYED.has(type) && !node.computed && node.key) names.add(node.key);
    if (typeof end === "number") {
      const next = nextToken(source, end);
      // Punctuation that ends a list or a statement is no operation of its own.
      if (next < source.length && !CLOSERS.has(source.charCodeAt(next))) marks[next] = 1;
    }
    const keys = CHILD_KEYS[node.type];
    if (keys === undefined) continue;
    for (let i = 0; i < keys.length; i++) {
      const child = node[keys[i]];
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return marks;
}

const NAMED = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ClassDeclaration",
  "ClassExpression",
]);
const KEYED = new Set(["Property", "MethodDefinition", "PropertyDefinition", "AccessorProperty"]);

/** `,` `;` `)` `]` `}` `:`: never where V8 reports an operation. */
const CLOSERS = new Set([44, 59, 41, 93, 125, 58]);

/** The offset of the first character at or after `at` that is neither white space nor comment. */
function nextToken(src: string, at: number): number {
  let i = at;
  while (i < src.length) {
    const ch = src.charCodeAt(i);
    if (
      ch === 32 || (ch >= 9 && ch <= 13) || ch === 0xa0 || ch === 0xfeff || ch === 0x2028 ||
      ch === 0x2029
    ) {
      i++;
    } else if (ch === 47 && src.charCodeAt(i + 1) === 47) {
      while (i < src.length && !isLineBreak(src.charCodeAt(i))) i++;
    } else if (ch === 47 && src.charCodeAt(i + 1) === 42) {
      const close = src.indexOf("*/", i + 2);
      if (close < 0) return src.length;
      i = close + 2;
    } else return i;
  }
  return i;
}

function isLineBreak(ch: number): boolean {
  return ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029;
}

/**
 * The `mappings` of a source map from the rewritten code back to `source`: a segment at every
 * place V8 can report, at its column moved right by what was inserted before it on its line.
 *
 * @param source The source before rewriting.
 * @param program Its AST.
 * @param insertions Where text was inserted into it.
 * @returns The map's `mappings` field, as ASCII bytes.
 */
/**
 * A column table decoded: per line (0-based), the pairs (column in the source, length inserted
 * there), columns absolute; undefined for a line without insertions.
 *
 * @param table A column table (see columnTable).
 */
export function decodeColumnTable(table: string): (Int32Array | undefined)[] {
  // tph's own array (holes too: a line without insertions is one).
  const lines: (Int32Array | undefined)[] = ownArray([]);
  const rows = strSplit(table, ";");
  for (let i = 0; i < rows.length; i++) {
    if (rows[i] === "") continue;
    const nums = strSplit(rows[i], ",");
    const pairs = new Int32Array(nums.length);
    let col = 0;
    for (let k = 0; k < nums.length; k += 2) {
      col += parseInt(nums[k], 36);
      pairs[k] = col;
      pairs[k + 1] = parseInt(nums[k + 1], 36);
    }
    lines[i] = pairs;
  }
  return lines;
}

/**
 * A file's column table decoded, from tables kept by file (each decoded once, on first use).
 *
 * @param tables The tables, by file.
 * @param decoded The tables decoded so far, by file (filled here).
 * @param path The file.
 * @returns Its decoded table, or null when it has none.
 */
export function decodedTable(
  tables: Map<string, string>,
  decoded: Map<string, (Int32Array | undefined)[]>,
  path: string,
): (Int32Array | undefined)[] | null {
  let lines = decoded.get(path);
  if (lines !== undefined) return lines;
  const table = tables.get(path);
  if (table === undefined) return null;
  lines = decodeColumnTable(table);
  decoded.set(path, lines);
  return lines;
}

/**
 * The 1-based column in the source of a 1-based column in a rewritten line, given that line's
 * decoded pairs. A position inside inserted text maps to the source character the text was
 * inserted before.
 *
 * @param pairs The line's pairs (decodeColumnTable).
 * @param column The column in the rewritten line.
 */
export function columnInSource(pairs: Int32Array, column: number): number {
  const at = column - 1;
  let shift = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const start = pairs[i] + shift;
    if (at < start) break;
    if (at < start + pairs[i + 1]) return pairs[i] + 1;
    shift += pairs[i + 1];
  }
  return column - shift;
}

export function sourceMapMappings(
  source: string,
  program: Node,
  insertions: Insertions,
): Uint8Array {
  const marks = reportablePlaces(source, program);
  const starts = lineStarts(source);
  const { offsets, lengths } = insertions;
  const out = new VlqWriter();
  let j = 0, inserted = 0;
  let prevLine = 0, prevCol = 0;
  for (let line = 0; line < starts.length; line++) {
    if (line > 0) out.byte(59); // ;
    const lineStart = starts[line];
    const lineEnd = line + 1 < starts.length ? starts[line + 1] : source.length;
    while (j < offsets.length && offsets[j] < lineStart) inserted += lengths[j++];
    const beforeLine = inserted;
    let prevGen = 0, first = true;
    for (let at = lineStart; at < lineEnd; at++) {
      if (marks[at] === 0) continue;
      // What is inserted at an offset goes before the character there: it moves that one too.
      while (j < offsets.length && offsets[j] <= at) inserted += lengths[j++];
      const col = at - lineStart;
      const gen = col + inserted - beforeLine;
      if (!first) out.byte(44); // ,
      first = false;
      out.vlq(gen - prevGen);
      out.byte(65); // A: the one source
      out.vlq(line - prevLine);
      out.vlq(col - prevCol);
      prevGen = gen;
      prevLine = line;
      prevCol = col;
    }
  }
  return out.bytes.subarray(0, out.length);
}
