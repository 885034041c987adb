// A compiled file's own source map, when it names one in a file beside it (`//# sourceMappingURL=
// main.js.map`): found, read and checked on the loader's side, so that the instrumenter (pure, and
// in a worker on Deno) gets its text. An inline map (`data:` URL) is part of the source and read by
// the instrumenter itself (_positions.ts). Only a regular file is read (a link is followed; a FIFO,
// a device or a folder never), of at most MAX_MAP_BYTES. A map that cannot be had is left out with
// one warning line in the run: the file's functions are then shown where they are in the file.

import process from "../../platform/node_process.ts";
import { fileStamp, readText } from "../../platform/files.ts";
import { MAX_MAP_BYTES } from "../../project/compiled_files.ts";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isAbsolute } from "node:path";
import { Array, JSON, URL } from "../../platform/globals.ts";
import { findInlineMap } from "../instrument/_positions.ts";

// The last sourceMappingURL comment, on a line of its own at the end of the code (only white
// space and other line comments after it), as V8, Node and Deno find it.
const MAP_URL =
  /\/\/[#@][ \t]+sourceMappingURL=([^\s'"]+)[ \t]*(?:\r?\n[ \t]*(?:\/\/[^\n]*)?)*\s*$/;

/** Where a file's map is said to be: its URL as written, and the path it names. */
export interface MapRef {
  /** The URL as the comment gives it. */
  url: string;
  /** The map file's absolute path. */
  path: string;
}

/** A file's own map, read. */
export interface OwnMap {
  /** The map's JSON text. */
  text: string;
  /** The map's file URL: its sources are relative to it. */
  url: string;
  /** What the transform cache key takes of the map: its path, size and modification time. */
  stamp: string;
}

/**
 * The map file a compiled file names at its end, or null when it names none or an inline one
 * (`data:`), or one that is not a local file (`https:`).
 *
 * @param filename The file's path or file URL.
 * @param source Its text.
 */
export function mapRefOf(filename: string, source: string): MapRef | null {
  // Cheap first: nearly every file names no map.
  const at = source.lastIndexOf("sourceMappingURL=");
  if (at < 0) return null;
  const m = MAP_URL.exec(source.slice(at < 4 ? 0 : at - 4));
  if (m === null) return null;
  const url = m[1];
  if (/^data:/i.test(url)) return null;
  let base: URL;
  try {
    base = isAbsolute(filename) ? pathToFileURL(filename) : new URL(filename);
  } catch {
    return null;
  }
  let target: URL;
  try {
    target = new URL(url, base);
  } catch {
    return null;
  }
  if (target.protocol !== "file:") return null;
  try {
    return { url, path: fileURLToPath(target) };
  } catch {
    return null;
  }
}

/**
 * A compiled file's own map from a file beside it, with what the transform cache key takes of
 * it (see {@linkcode readOwnMap} for the text); null when the file names none.
 *
 * @param filename The file's path or file URL.
 * @param source Its text.
 * @param shown How the file is named in a warning (its module name).
 * @returns The map's stamp and a reader of its text; `text()` is null when it cannot be had.
 */
export function ownMapOf(
  filename: string,
  source: string,
  shown: string,
): { stamp: string; text: () => OwnMap | null } | null {
  const ref = mapRefOf(filename, source);
  if (ref === null) return null;
  const st = fileStamp(ref.path);
  const stamp = st === null ? `${ref.path}\0-` : `${ref.path}\0${st.size}\0${st.mtimeMs}`;
  return {
    stamp,
    text: () => {
      // An empty file is no map; and the kernel's files (/proc) say they are empty, some of which
      // a read would wait on for good.
      const why = st === null
        ? "is not a file that can be read"
        : st.size === 0
        ? "is empty"
        : st.size > MAX_MAP_BYTES
        ? `is larger than ${MAX_MAP_BYTES / 1024 / 1024} MiB`
        : null;
      if (why !== null) return warned(shown, ref, why);
      let text: string;
      try {
        text = readText(ref.path);
      } catch (e) {
        return warned(shown, ref, `cannot be read (${(e as { code?: string }).code ?? "error"})`);
      }
      const problem = mapProblem(text);
      if (problem !== null) return warned(shown, ref, problem);
      return { text, url: pathToFileURL(ref.path).href, stamp };
    },
  };
}

/**
 * What makes a map's text unusable, or null: not JSON, not version 3, no mappings (or sections).
 *
 * @param text The map's text.
 */
export function mapProblem(text: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  if (json === null || typeof json !== "object") return "is not a source map";
  const map = json as { version?: unknown; mappings?: unknown; sections?: unknown };
  if (map.version !== 3) return "is not a version 3 source map";
  if (typeof map.mappings !== "string" && !Array.isArray(map.sections)) {
    return "has no mappings";
  }
  return null;
}

let warnedOnce = false;

/** One warning line in a run, for the first map that cannot be used; null. */
function warned(shown: string, ref: MapRef, why: string): null {
  if (!warnedOnce) {
    warnedOnce = true;
    process.stderr.write(
      `tph: warning: the source map ${
        JSON.stringify(ref.url)
      } that ${shown} names ${why}: its functions are shown at their places in ${shown}\n`,
    );
  }
  return null;
}

/**
 * Whether a file carries a map of its own: inline, or named in a file beside it.
 *
 * @param filename The file's path or file URL.
 * @param source Its text.
 */
export function hasOwnMap(filename: string, source: string): boolean {
  return findInlineMap(source) !== null || mapRefOf(filename, source) !== null;
}
