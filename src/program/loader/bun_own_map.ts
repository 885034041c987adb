// Bun's own bundles (`bun build --target=bun`) start with a `// @bun` line, and Bun runs such a
// file as it is (no transpiling) and maps its stack positions through the file's own source map,
// inline or named beside it, even when a plugin hands the code over (checked with bun 1.4.5; for
// other files it reads no map from a plugin, oven-sh/bun#6173). tph's rewriting moves columns, so
// the code of such a file goes to Bun with its map fitted to the rewriting, inline: Bun then
// reports what it reports plainly, and bun_stacks.ts has nothing to map back on those frames.
//
// Without a pragma's `@bun-cjs`, such a file is an ES module to Bun whatever its syntax; with it,
// its code is one function expression, `(function(exports, require, module, __filename,
// __dirname) {…})`, that Bun calls as a CommonJS module's: tph runs such a module itself
// (bun.ts), with the function's opening and closing blanked, which moves nothing, and
// bun_stacks.ts maps its positions on through its map.

import { Buffer } from "node:buffer";
import { pathToFileURL } from "node:url";
import { ownMapOf } from "./own_map.ts";
import { absoluteMap, shiftMap } from "../instrument/_shift_map.ts";
import { decodeColumnTable } from "../instrument/_columns.ts";
import { lineStarts, readInlineSourceMap } from "../instrument/_positions.ts";
import { Float64Array, Int32Array, Math } from "../../platform/globals.ts";
import { charCodeAt, regexExec, regexTest } from "../../platform/intrinsics.ts";

/** The pragma line, after a hashbang if any: its flags. */
const PRAGMA = /^(?:#![^\n]*\n)?\/\/ @bun\b([^\n]*)/;

/** How Bun runs a file it bundled itself, or null for any other file. */
export function bunPragma(source: string): { commonJS: boolean } | null {
  // Captured: it runs for every file Bun loads, after the program may have deleted the methods.
  const first = charCodeAt(source, 0);
  if (first !== 47 && first !== 35) return null;
  const m = regexExec(PRAGMA, source);
  return m === null ? null : { commonJS: regexTest(BUN_CJS, m[1]) };
}

const BUN_CJS = /(?:^|\s)@bun-cjs\b/;

// The opening of a `@bun-cjs` file's function (on the line after the pragma) and its closing.
const CJS_OPENING =
  /^(\/\/ @bun\b[^\n]*\n)(\(function\s*\(exports,\s*require,\s*module,\s*__filename,\s*__dirname\)\s*\{)/;
const CJS_CLOSING = /\}\)\s*(?:;\s*)?(?:\/\/[#@][^\n]*\s*)*$/;

/**
 * A `@bun-cjs` file's code as a CommonJS module's (the function's opening and closing blanked);
 * null when it does not have that form.
 */
export function unwrapBunCommonJS(source: string): string | null {
  const open = CJS_OPENING.exec(source);
  if (open === null) return null;
  const close = CJS_CLOSING.exec(source);
  if (close === null || close.index < open[0].length) return null;
  const start = open[1].length, end = start + open[2].length;
  return source.slice(0, start) + " ".repeat(end - start) + source.slice(end, close.index) +
    "  " + source.slice(close.index + 2);
}

/** A sourceMappingURL comment at the end of code (white space and other comments after it). */
const MAP_COMMENT =
  /\/\/[#@][ \t]+sourceMappingURL=[^\s'"]+[ \t]*(?=(?:\r?\n[ \t]*(?:\/\/[^\n]*)?)*\s*$)/;

/**
 * The rewritten code of a file Bun bundled, with its own map fitted to the rewriting in place of
 * the map comment it ends with; the code as it is when the file has no map that can be read.
 *
 * @param path The file.
 * @param source Its text.
 * @param code The rewritten text.
 * @param columns The column table of the rewriting (_columns.ts).
 * @param shown How a warning names the file.
 */
export function withFittedMap(
  path: string,
  source: string,
  code: string,
  columns: string,
  shown: string,
): string {
  const at = code.lastIndexOf("sourceMappingURL=");
  if (at < 0) return code;
  const tail = code.slice(Math.max(0, at - 4));
  const comment = MAP_COMMENT.exec(tail);
  if (comment === null) return code;
  const absolute = bundleMap(path, source, shown);
  const fitted = columns === "" || absolute === null
    ? absolute
    : shiftMap(absolute, source, insertionsOf(source, columns));
  if (fitted === null) return code;
  const from = Math.max(0, at - 4) + comment.index;
  return code.slice(0, from) + "//# sourceMappingURL=data:application/json;base64," +
    Buffer.from(fitted, "utf8").toString("base64") + code.slice(from + comment[0].length);
}

/**
 * A bundle's own map (inline, or the file it names), its sources absolute paths; null when it has
 * none that can be read.
 *
 * @param path The file.
 * @param source Its text.
 * @param shown How a warning names the file.
 */
export function bundleMap(path: string, source: string, shown: string): string | null {
  let text: string | null = readInlineSourceMap(source);
  let base = pathToFileURL(path).href;
  if (text === null) {
    const own = ownMapOf(path, source, shown)?.text() ?? null;
    if (own === null) return null;
    text = own.text;
    base = own.url;
  }
  return absoluteMap(text, base, true);
}

/** The insertions a column table describes, as shiftMap takes them. */
function insertionsOf(
  source: string,
  columns: string,
): { offsets: Float64Array; lengths: Int32Array } {
  const lines = decodeColumnTable(columns);
  const starts = lineStarts(source);
  let n = 0;
  for (const pairs of lines) if (pairs !== undefined) n += pairs.length / 2;
  const offsets = new Float64Array(n), lengths = new Int32Array(n);
  let k = 0;
  for (let line = 0; line < lines.length; line++) {
    const pairs = lines[line];
    if (pairs === undefined) continue;
    for (let i = 0; i < pairs.length; i += 2, k++) {
      offsets[k] = starts[line] + pairs[i];
      lengths[k] = pairs[i + 1];
    }
  }
  return { offsets, lengths };
}
