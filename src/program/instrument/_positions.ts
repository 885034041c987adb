// Offsets → 1-based line/column in the ORIGINAL source. Deno's loader hands us JavaScript that it
// transpiled from TypeScript, with an inline source map; locations must be mapped back through it.

import { Buffer } from "node:buffer";
import { traceMapping } from "../../deps.ts";

const INLINE_MAP =
  /(\/\/[#@] sourceMappingURL=data:application\/json[^,]*;base64,)([A-Za-z0-9+/=]+)(\s*)$/;

/** A source map as a JSON string or object (version 3). */
export type InputSourceMap = string | Record<string, unknown>;

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

/** Converts UTF-16 offsets of the given source to original 1-based lines and columns. */
export class PositionMapper {
  #lineStarts: number[];
  #map: InstanceType<ReturnType<typeof traceMapping>["TraceMap"]> | null = null;

  constructor(source: string, inputMap: InputSourceMap | null) {
    this.#lineStarts = lineStarts(source);
    if (inputMap) {
      try {
        // deno-lint-ignore no-explicit-any
        this.#map = new (traceMapping().TraceMap)(inputMap as any);
      } catch {
        this.#map = null;
      }
    }
  }

  /**
   * 1-based line and column of an offset in the original source; null when an input source map
   * says the code there has no original (the transpiler added it).
   */
  locate(offset: number): { line: number; column: number } | null {
    const starts = this.#lineStarts;
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const line = lo + 1, column = offset - starts[lo];
    if (this.#map) {
      const { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor } = traceMapping();
      const needle = { line, column };
      let pos = originalPositionFor(this.#map, { ...needle, bias: GREATEST_LOWER_BOUND });
      if (pos.line === null) {
        pos = originalPositionFor(this.#map, { ...needle, bias: LEAST_UPPER_BOUND });
      }
      if (pos.line !== null) return { line: pos.line, column: (pos.column ?? 0) + 1 };
      return null;
    }
    return { line, column: column + 1 };
  }
}
