// Deno hands the load hook transpiled JavaScript with an inline source map, and reads that map
// again for stack traces of the code the hook returns. The instrumenter inserts text (never a
// line break), so every mapping after an insertion on its line points too far left: where Deno
// joined several source lines into one (a multi-line template literal), an error would then be
// reported on the wrong line. The map is rewritten with each generated column moved right by
// what was inserted before it on its line.

import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import { sourcemapCodec, traceMapping } from "../../deps.ts";
import { findInlineMap, lineStarts, mapSegments, MAX_MAP_SEGMENTS } from "./_positions.ts";
import { Array, Int32Array, JSON, URL } from "../../platform/globals.ts";
import { strSlice, typedFill } from "../../platform/intrinsics.ts";

/**
 * `code` (the instrumented `source`) with its trailing inline source map fitted to the
 * insertions; `code` unchanged when it has no such map or the map cannot be read.
 *
 * @param code The instrumented code, ending with the source's inline map comment.
 * @param source The code before instrumentation, which the map describes.
 * @param map The map's JSON text.
 * @param insertions Offsets in `source` (ascending) and the length inserted at each.
 * @returns The code with a map that fits it.
 */
export function shiftInlineMap(
  code: string,
  source: string,
  map: string,
  insertions: { offsets: Float64Array; lengths: Int32Array },
): string {
  const comment = findInlineMap(code);
  if (comment === null) return code;
  const shifted = shiftMap(map, source, insertions);
  if (shifted === null) return code;
  const data = Buffer.from(shifted, "utf8").toString("base64");
  return code.slice(0, comment.at) + comment.prefix + data + comment.trail;
}

/**
 * A source map of `source` (JSON) made to fit `source` instrumented: each generated column moved
 * right by what was inserted before it on its line. Null when the map cannot be read.
 *
 * @param map The map's JSON text.
 * @param source The code before instrumentation, which the map describes.
 * @param insertions Offsets in `source` (ascending) and the length inserted at each.
 */
export function shiftMap(
  map: string,
  source: string,
  insertions: { offsets: Float64Array; lengths: Int32Array },
): string | null {
  // A large map's mappings are replaced in its text, which is not parsed: the map's objects and
  // its text written again would cost several times its size (a map of millions of segments).
  if (map.length > SPLICE_FROM) {
    const spliced = splicedMappings(map, source, insertions);
    if (spliced !== undefined) return spliced;
  }
  let json: { mappings?: unknown };
  try {
    json = JSON.parse(map);
  } catch {
    return null;
  }
  if (typeof json.mappings !== "string") return null;
  const mappings = shiftMappings(json.mappings, source, insertions);
  if (mappings === null) return null;
  json.mappings = mappings;
  return JSON.stringify(json);
}

/** The size of a map's text from which its mappings are shifted in place (splicedMappings). */
const SPLICE_FROM = 1 << 20;

/**
 * {@linkcode shiftMap} in the map's text: its one `mappings` value (a JSON string without
 * escapes: base64 digits and separators) replaced; undefined when it has not exactly one, or the
 * text is not an object.
 */
function splicedMappings(
  map: string,
  source: string,
  insertions: { offsets: Float64Array; lengths: Int32Array },
): string | null | undefined {
  const key = /"mappings"\s*:\s*"([A-Za-z0-9+/,;]*)"/g;
  const m = key.exec(map);
  if (m === null || key.exec(map) !== null || !/^\s*\{/.test(map)) return undefined;
  const mappings = shiftMappings(m[1], source, insertions);
  if (mappings === null) return null;
  const at = m.index + m[0].length - m[1].length - 1;
  return strSlice(map, 0, at) + mappings + strSlice(map, at + m[1].length);
}

/** shiftMappings by decoding every segment (the codec sorts each line's by column). */
function shiftDecoded(
  mappings: string,
  starts: number[],
  insertions: { offsets: Float64Array; lengths: Int32Array },
): string {
  const { decode, encode } = sourcemapCodec();
  const lines = decode(mappings);
  const { offsets, lengths } = insertions;
  let j = 0, inserted = 0;
  for (let i = 0; i < lines.length && i < starts.length; i++) {
    const lineStart = starts[i];
    while (j < offsets.length && offsets[j] < lineStart) inserted += lengths[j++];
    const beforeLine = inserted;
    for (const seg of lines[i]) {
      const at = lineStart + seg[0];
      while (j < offsets.length && offsets[j] <= at) inserted += lengths[j++];
      seg[0] += inserted - beforeLine;
    }
  }
  return encode(lines);
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Base64 digit of each character code (-1: none). */
const DIGIT = typedFill(new Int32Array(128), -1) as Int32Array;
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** Where the last {@linkcode readVlq} ended. */
let vlqEnd = 0;

/** The VLQ number at `at` (its end in vlqEnd); NaN when there is none or it is malformed. */
function readVlq(text: string, at: number): number {
  let value = 0, shift = 0, digit = 0, i = at;
  do {
    const c = text.charCodeAt(i++);
    digit = c < 128 ? DIGIT[c] : -1;
    if (digit < 0 || shift > 30) return NaN;
    value |= (digit & 31) << shift;
    shift += 5;
  } while (digit & 32);
  vlqEnd = i;
  const negative = value & 1;
  value >>>= 1;
  return negative ? -0x80000000 | -value : value;
}

/** A number as VLQ. */
function vlq(value: number): string {
  let n = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = n & 31;
    n >>>= 5;
    if (n > 0) digit |= 32;
    out += BASE64[digit];
  } while (n > 0);
  return out;
}

/**
 * A map's `mappings` with each generated column moved right by what was inserted before it on
 * its line, worked on as text: only a segment whose shift differs from the one before it on its
 * line changes (its column is relative to that one's), so nothing is decoded into segments and
 * what it costs is the text's size (a map of millions of segments would take ~100 bytes each,
 * decoded). Null when the mappings are malformed.
 *
 * @param mappings The map's mappings.
 * @param source The code before instrumentation.
 * @param insertions Offsets in `source` (ascending) and the length inserted at each.
 */
export function shiftMappings(
  mappings: string,
  source: string,
  insertions: { offsets: Float64Array; lengths: Int32Array },
): string | null {
  const starts = lineStarts(source);
  const { offsets, lengths } = insertions;
  let out = "";
  const n = mappings.length;
  let j = 0, inserted = 0, copied = 0, pos = 0;
  for (let line = 0; pos < n && line < starts.length; line++) {
    const lineStart = starts[line];
    // Text inserted at a line's first offset stands on that line (after the line break).
    while (j < offsets.length && offsets[j] < lineStart) inserted += lengths[j++];
    const beforeLine = inserted;
    let column = 0, shifted = 0;
    while (pos < n) {
      const c = mappings.charCodeAt(pos);
      if (c === 59) { // ;
        pos++;
        break;
      }
      if (c === 44) { // ,
        pos++;
        continue;
      }
      const delta = readVlq(mappings, pos);
      if (delta !== delta) return null;
      // Segments out of order on a line (rare): decoded, which sorts them, as before.
      if (delta < 0) return shiftDecoded(mappings, starts, insertions);
      column += delta;
      // What is inserted at an offset goes before the character there: it moves that one too.
      const at = lineStart + column;
      while (j < offsets.length && offsets[j] <= at) inserted += lengths[j++];
      const shift = inserted - beforeLine;
      if (shift !== shifted) {
        out += strSlice(mappings, copied, pos) + vlq(delta + shift - shifted);
        copied = vlqEnd;
        shifted = shift;
      }
      pos = vlqEnd;
      while (pos < n) {
        const d = mappings.charCodeAt(pos);
        if (d === 44 || d === 59) break;
        pos++;
      }
    }
  }
  return copied === 0 ? mappings : out + strSlice(mappings, copied);
}

/**
 * A map as one that can move away from where it was: its sources resolved against the map's URL
 * (file URLs, or paths with `paths`), sections flattened. Null when it cannot be read.
 *
 * @param map The map's JSON text.
 * @param url The map's URL.
 * @param paths Give file sources as paths (as Bun shows them) rather than file URLs.
 */
export function absoluteMap(
  map: string,
  url: string,
  paths = false,
  codeUrl: string | null = null,
): string | null {
  try {
    const { FlattenMap, encodedMappings } = traceMapping();
    const parsed = JSON.parse(map);
    // An index map is flattened by decoding its sections: not one too large to decode.
    if (parsed?.sections !== undefined && mapSegments(parsed) > MAX_MAP_SEGMENTS) return null;
    const traced = FlattenMap(parsed, url);
    // A loop, not map(): Bun asks for this while the program runs (a stack formatted).
    const resolved = traced.resolvedSources, sources: string[] = [];
    const written = parsed?.sections === undefined && Array.isArray(parsed.sources)
      ? parsed.sources as unknown[]
      : null;
    const root = typeof parsed?.sourceRoot === "string" ? parsed.sourceRoot : "";
    for (let i = 0; i < resolved.length; i++) {
      const s = resolved[i];
      sources[i] = paths && s.startsWith("file:")
        ? fileURLToPath(s)
        // A source given by a path (not a URL), relative to the code's URL: Deno resolves it
        // as it does plainly, and shows a file of node_modules that is not there by the code's
        // own name (what an absolute URL would not get).
        : codeUrl !== null && s.startsWith("file:") &&
            !(written !== null && SCHEME.test(`${root}${written[i] ?? ""}`))
        ? relativeUrl(codeUrl, s)
        : s;
    }
    return JSON.stringify({
      version: 3,
      sources,
      sourcesContent: traced.sourcesContent,
      names: traced.names,
      mappings: encodedMappings(traced),
    });
  } catch {
    return null;
  }
}

/** A URL's scheme (`file:`, `webpack:`), which a source given by a path has not. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * `to` as a URL relative to `from`, both file URLs (`../src/x.ts`); `to` itself where no such
 * URL gives it back (another host, no folder in common but the root).
 */
function relativeUrl(from: string, to: string): string {
  try {
    const a = new URL(from), b = new URL(to);
    if (a.protocol !== "file:" || b.protocol !== "file:" || a.host !== b.host) return to;
    const dirs = a.pathname.split("/");
    dirs.pop();
    const parts = b.pathname.split("/");
    let k = 0;
    while (k < dirs.length && k < parts.length - 1 && dirs[k] === parts[k]) k++;
    if (k < 2) return to;
    let rel = "../".repeat(dirs.length - k) + parts.slice(k).join("/") + b.search + b.hash;
    if (rel === "" || /^[^/]*:/.test(rel)) rel = `./${rel}`;
    return new URL(rel, from).href === b.href ? rel : to;
  } catch {
    return to;
  }
}

/**
 * A compiled file's own map, read from a file beside it, as a map the code can carry inline
 * ({@linkcode absoluteMap}: the inline map's base is the code's), fitted to the rewriting. Null
 * when it cannot be read.
 *
 * @param map The map's JSON text.
 * @param url The map's URL.
 * @param source The code before instrumentation, which the map describes.
 * @param insertions Offsets in `source` (ascending) and the length inserted at each.
 */
export function inlinedOwnMap(
  map: string,
  url: string,
  source: string,
  insertions: { offsets: Float64Array; lengths: Int32Array },
  codeUrl: string | null = null,
): string | null {
  const plain = absoluteMap(map, url, false, codeUrl);
  return plain === null ? null : shiftMap(plain, source, insertions);
}
