// Deno hands the load hook transpiled JavaScript with an inline source map, and reads that map
// again for stack traces of the code the hook returns. The instrumenter inserts text (never a
// line break), so every mapping after an insertion on its line points too far left: where Deno
// joined several source lines into one (a multi-line template literal), an error would then be
// reported on the wrong line. The map is rewritten with each generated column moved right by
// what was inserted before it on its line.

import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import { sourcemapCodec, traceMapping } from "../../deps.ts";
import { findInlineMap, lineStarts } from "./_positions.ts";
import { JSON } from "../../platform/globals.ts";

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
  let json: { mappings?: unknown };
  try {
    json = JSON.parse(map);
  } catch {
    return null;
  }
  if (typeof json.mappings !== "string") return null;
  const { decode, encode } = sourcemapCodec();
  const lines = decode(json.mappings);
  const starts = lineStarts(source);
  const { offsets, lengths } = insertions;
  let j = 0, inserted = 0;
  for (let i = 0; i < lines.length && i < starts.length; i++) {
    const lineStart = starts[i];
    // Text inserted at a line's first offset stands on that line (after the line break).
    while (j < offsets.length && offsets[j] < lineStart) inserted += lengths[j++];
    const beforeLine = inserted;
    for (const seg of lines[i]) {
      // What is inserted at an offset goes before the character there: it moves that one too.
      const at = lineStart + seg[0];
      while (j < offsets.length && offsets[j] <= at) inserted += lengths[j++];
      seg[0] += inserted - beforeLine;
    }
  }
  json.mappings = encode(lines);
  return JSON.stringify(json);
}

/**
 * A map as one that can move away from where it was: its sources resolved against the map's URL
 * (file URLs, or paths with `paths`), sections flattened. Null when it cannot be read.
 *
 * @param map The map's JSON text.
 * @param url The map's URL.
 * @param paths Give file sources as paths (as Bun shows them) rather than file URLs.
 */
export function absoluteMap(map: string, url: string, paths = false): string | null {
  try {
    const { FlattenMap, encodedMappings } = traceMapping();
    // deno-lint-ignore no-explicit-any
    const traced = FlattenMap(map as any, url);
    // A loop, not map(): Bun asks for this while the program runs (a stack formatted).
    const resolved = traced.resolvedSources, sources: string[] = [];
    for (let i = 0; i < resolved.length; i++) {
      const s = resolved[i];
      sources[i] = paths && s.startsWith("file:") ? fileURLToPath(s) : s;
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
): string | null {
  const plain = absoluteMap(map, url);
  return plain === null ? null : shiftMap(plain, source, insertions);
}
