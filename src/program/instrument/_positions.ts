// Offsets → 1-based line/column in the ORIGINAL source. Deno's loader hands us JavaScript that it
// transpiled from TypeScript, with an inline source map; locations must be mapped back through it.

import { Buffer } from "node:buffer";
import { traceMapping } from "../../deps.ts";
import { Array, Map, Set } from "../../platform/globals.ts";

const INLINE_MAP =
  /(\/\/[#@] sourceMappingURL=data:application\/json[^,]*;base64,)([A-Za-z0-9+/=]+)(\s*)$/;

/** A source map as a JSON string or object (version 3). */
export type InputSourceMap = string | Record<string, unknown>;

/**
 * The most mappings (segments) a source map may have to be read whole: decoded, a segment costs
 * ~100 bytes (an array of its numbers), and a map of 3 million took a run past 1 GB. A larger map
 * is not read for the functions' places and names (they are shown at their places in the
 * compiled file); the map the code carries for stack traces is still fitted to the rewriting, as
 * text (_shift_map.ts), which costs its size, not its segments.
 */
export const MAX_MAP_SEGMENTS = 1_000_000;

/**
 * How many segments a map has, counted by their separators in its `mappings` (an index map's
 * sections added up) without decoding them; 0 when it has none.
 *
 * @param map The map, parsed.
 */
export function mapSegments(map: unknown): number {
  if (map === null || typeof map !== "object") return 0;
  const { mappings, sections } = map as { mappings?: unknown; sections?: unknown };
  if (typeof mappings === "string") {
    let n = mappings.length === 0 ? 0 : 1;
    for (let i = 0; i < mappings.length; i++) {
      const c = mappings.charCodeAt(i);
      if (c === 44 || c === 59) n++; // , ;
    }
    return n;
  }
  let n = 0;
  if (Array.isArray(sections)) {
    for (const section of sections) n += mapSegments((section as { map?: unknown })?.map);
  }
  return n;
}

/** A `mappings` key of a map's JSON text (one in a string would have its quotes escaped). */
const MAPPINGS_KEY = /"mappings"\s*:\s*"/g;

/**
 * {@linkcode mapSegments} of a map's JSON text, without parsing it: the separators in the value of
 * each `mappings` key (a map's, or each section's), which holds no quote.
 *
 * @param text The map's JSON text.
 */
export function mapTextSegments(text: string): number {
  let n = 0;
  MAPPINGS_KEY.lastIndex = 0;
  for (let m = MAPPINGS_KEY.exec(text); m !== null; m = MAPPINGS_KEY.exec(text)) {
    const start = MAPPINGS_KEY.lastIndex;
    let end = text.indexOf('"', start);
    if (end < 0) end = text.length;
    if (end > start) n++;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 44 || c === 59) n++; // , ;
    }
  }
  return n;
}

/** The inline base64 source map comment at the end of `code`: where it starts, and its parts. */
export interface InlineMapComment {
  at: number;
  /** `//# sourceMappingURL=data:…;base64,` */
  prefix: string;
  data: string;
  /** White space after the data. */
  trail: string;
}

/** Find the inline base64 source map comment at the end of `code`, if any. */
export function findInlineMap(code: string): InlineMapComment | null {
  const at = code.lastIndexOf("//");
  const m = at < 0 ? null : INLINE_MAP.exec(code.slice(at));
  return m === null ? null : { at, prefix: m[1], data: m[2], trail: m[3] };
}

/** Find and decode an inline base64 source map at the end of `source`, if any. */
export function readInlineSourceMap(source: string): string | null {
  const found = findInlineMap(source);
  if (found === null) return null;
  try {
    return Buffer.from(found.data, "base64").toString("utf8");
  } catch {
    return null;
  }
}

/** Offsets where lines start, for every line terminator of the language (and of stack traces). */
export function lineStarts(source: string): number[] {
  const starts = [0];
  // Nearly all code has \n alone: indexOf finds those several times faster than a regex.
  if (!/[\r\u2028\u2029]/.test(source)) {
    for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) {
      starts.push(i + 1);
    }
    return starts;
  }
  const re = /\r\n?|[\n\u2028\u2029]/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    starts.push(m.index + m[0].length);
  }
  return starts;
}

/** How many lines `source` has, as {@linkcode lineStarts} counts them (without making the list). */
export function lineCount(source: string): number {
  let n = 1;
  if (!/[\r\u2028\u2029]/.test(source)) {
    for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) n++;
    return n;
  }
  return lineStarts(source).length;
}

/** An original place: 1-based line and column, and the source when the map names one. */
export interface Place {
  line: number;
  column: number;
  /** The source's resolved URL (or path) from the map; null without a map. */
  source: string | null;
}

/** Converts UTF-16 offsets of the given source to original 1-based lines and columns. */
export class PositionMapper {
  #lineStarts: number[];
  #map: InstanceType<ReturnType<typeof traceMapping>["TraceMap"]> | null = null;
  /** Line starts of the sources' texts the map carries, by source index (nameAt). */
  #sourceLines = new Map<number, number[]>();

  /**
   * @param source The code.
   * @param inputMap Its source map, if any (an index map with sections too).
   * @param mapUrl The map's URL, which its sources are relative to (default: none, the sources
   *   as written).
   */
  readonly #source: string;

  constructor(source: string, inputMap: InputSourceMap | null, mapUrl?: string) {
    this.#source = source;
    this.#lineStarts = lineStarts(source);
    if (inputMap) {
      try {
        // A map too large to decode is left out: the functions keep their places in the code.
        const segments = typeof inputMap === "string"
          ? mapTextSegments(inputMap)
          : mapSegments(inputMap);
        if (segments > MAX_MAP_SEGMENTS) this.tooLarge = true;
        // deno-lint-ignore no-explicit-any
        else this.#map = traceMapping().FlattenMap(inputMap as any, mapUrl ?? null);
      } catch {
        this.#map = null;
      }
    }
  }

  /** Whether the map was left out for having more than MAX_MAP_SEGMENTS segments. */
  tooLarge = false;

  /** 0-based line and column of an offset in the code. */
  #lineColumn(offset: number): { line: number; column: number } {
    const starts = this.#lineStarts;
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - starts[lo] };
  }

  /**
   * 1-based line and column of an offset in the original source, and the source the map names;
   * null when an input source map says the code there has no original (the transpiler or
   * bundler added it).
   */
  locate(offset: number): Place | null {
    const { line, column } = this.#lineColumn(offset);
    if (this.#map) {
      const { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor } = traceMapping();
      const needle = { line: line + 1, column };
      let pos = originalPositionFor(this.#map, { ...needle, bias: GREATEST_LOWER_BOUND });
      if (pos.line === null) {
        pos = originalPositionFor(this.#map, { ...needle, bias: LEAST_UPPER_BOUND });
      }
      if (pos.line !== null) {
        return { line: pos.line, column: (pos.column ?? 0) + 1, source: pos.source };
      }
      return null;
    }
    return { line: line + 1, column: column + 1, source: null };
  }

  /**
   * The original name the map gives the code at an offset (a minified identifier's name as
   * written), or null: only a mapping that starts exactly there and names one.
   */
  nameAt(offset: number): string | null {
    const map = this.#map;
    if (map === null) return null;
    const { line, column } = this.#lineColumn(offset);
    const seg = traceMapping().traceSegment(map, line, column);
    if (seg === null || seg[0] !== column || seg.length < 4) return null;
    // The identifier written where the map places this one, in the source's text the map carries:
    // the name as written. A map's `names` may hold a bundler's own (esbuild's `__Lexer` for a
    // class `_Lexer` it renamed), so they serve only without the text (and Bun writes none).
    const written = this.#writtenAt(seg[1]!, seg[2]!, seg[3]!);
    if (written !== null) return written;
    if (seg.length === 5) {
      const name = map.names[seg[4]];
      if (typeof name === "string" && IDENTIFIER.test(name)) return name;
    }
    return null;
  }

  /**
   * The text of the source an original place is in (Place.source): the code's own without a map,
   * the text the map carries of that source with one, or null when it carries none.
   */
  sourceText(source: string | null): string | null {
    const map = this.#map;
    if (map === null) return source === null ? this.#source : null;
    if (source === null) return null;
    const index = map.resolvedSources.indexOf(source);
    const content = index < 0 ? undefined : map.sourcesContent?.[index];
    return typeof content === "string" ? content : null;
  }

  /** The identifier at a 0-based place of a source's text the map carries, or null. */
  #writtenAt(index: number, line0: number, column0: number): string | null {
    const content = this.#map!.sourcesContent?.[index];
    if (typeof content !== "string") return null;
    let starts = this.#sourceLines.get(index);
    if (starts === undefined) this.#sourceLines.set(index, starts = lineStarts(content));
    const at = starts[line0];
    if (at === undefined) return null;
    IDENTIFIER_AT.lastIndex = at + column0;
    const m = IDENTIFIER_AT.exec(content);
    return m === null || KEYWORDS.has(m[0]) ? null : m[0];
  }
}

/** A whole identifier (ASCII, as nearly all code names are). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** An identifier starting exactly at lastIndex. */
const IDENTIFIER_AT = /[A-Za-z_$][\w$]*/y;
/** Words that are no names (a mapping that lands on `const` or `function`). */
const KEYWORDS = new Set([
  "abstract",
  "accessor",
  "async",
  "await",
  "class",
  "const",
  "default",
  "export",
  "function",
  "import",
  "let",
  "new",
  "override",
  "private",
  "protected",
  "public",
  "readonly",
  "return",
  "static",
  "this",
  "var",
]);
