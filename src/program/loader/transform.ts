// Instrument a file, through a content-addressed cache so a second run does not parse again.
// Key: hash of (tph version, filename, options, source). Entries are plain files in a cache
// folder that only this user can write (checkedCacheDir), each checked before it is used: a
// header line gives the entry's format, its key, the length of the source it was made from, and
// the length and hash of what follows (entryBody). A missing entry is simply rebuilt; a bad one
// (cut short, changed, not tph's, another file's, a folder) too, with one warning line in the
// run, and replaced whole (written beside it, then renamed over it). `tph run` keeps the folder
// bounded (transform_cache.ts).

import process from "../../platform/node_process.ts";
import {
  entryKind,
  makeDir,
  privateDir,
  readText,
  removeEmptyDir,
  userCacheDir,
  writeWhole,
} from "../../platform/files.ts";
import { contentHash } from "../../platform/hash.ts";
import { strSlice, wellFormed } from "../../platform/intrinsics.ts";
import { join } from "node:path";
import { instrument, type InstrumentOptions, type Lang } from "../instrument/instrument.ts";
import { ABI_VERSION } from "../../abi.ts";
import { VERSION } from "../../version.ts";
import { ownMapOf } from "./own_map.ts";
import { findInlineMap, mapTextSegments, MAX_MAP_SEGMENTS } from "../instrument/_positions.ts";
import { Buffer } from "node:buffer";
import type { ScopeOptions } from "../../project/scope.ts";
import type { ManifestFile } from "./manifest.ts";
import { Error, JSON, Map, Number } from "../../platform/globals.ts";

/** Options of {@linkcode transform}. */
export interface TransformOptions {
  filename: string;
  lang?: Lang;
  module: string;
  /**
   * Cache folder, used only when only this user can write it; null disables the cache. Default:
   * see {@linkcode defaultTransformCacheDir}.
   */
  cacheDir?: string | null;
  /** Passed to the instrumenter. Default true. */
  externalCalls?: boolean;
  /** Instruments on a cache miss (default: instrument() in this thread). */
  instrumenter?: (source: string, options: InstrumentOptions) => string;
  /** The cache key, when already known (see manifest.ts); default: {@linkcode cacheKey}. */
  key?: string;
  /**
   * The file as the last run's manifest knows it (Node, where the source is the file's own bytes:
   * node.ts): its key from there when the file and its map are unchanged, and this run's noted.
   */
  known?: ManifestFile;
  /**
   * How to parse the file; set it to learn whether the file has ES module syntax (Bun's loader
   * decides a module's format by that). Default: from the extension, and the answer is null.
   */
  sourceType?: "unambiguous";
  /** Passed to the instrumenter (Deno: a source map for a file that comes without one). */
  sourceMap?: boolean;
  /** Passed to the instrumenter (Deno: a CommonJS module's map of the rewriting alone). */
  shiftMap?: boolean;
  /** Passed to the instrumenter (Deno: false for a file in node_modules; see InstrumentOptions). */
  inlineMapInStacks?: boolean;
  /** Also give the column table (Bun: it maps reported positions back; see _columns.ts). */
  columnTable?: boolean;
  /** Passed to the instrumenter (Deno: see InstrumentOptions.guardAwaits). */
  guardAwaits?: boolean;
  /** The project root (module names of the sources a compiled file's map names). */
  root?: string;
  /** Passed to the instrumenter: the scope the sources a map names are held to. */
  sourceScope?: ScopeOptions;
  /**
   * Read the map a compiled file names in a file beside it (`//# sourceMappingURL=main.js.map`):
   * functions are recorded at their places in its sources. Default true.
   */
  ownMaps?: boolean;
}

/** Result of {@linkcode transformModule}. */
export interface TransformResult {
  /** The instrumented code. */
  code: string;
  /** Whether the file has ES module syntax; null when not asked for or it did not parse. */
  moduleSyntax: boolean | null;
  /**
   * Whether a file without module syntax uses CommonJS's names as free names (see
   * InstrumentResult.commonJSNames); false when not asked for or it did not parse.
   */
  commonJSNames: boolean;
  /** The column table when asked for ("" when nothing was inserted), else null. */
  columns: string | null;
}

// Loaded on first use: a re-run whose keys are all known from its manifest never hashes, and
// node:crypto costs 2–7 ms to load on Deno, 3–4 ms on Node.
let createHash: typeof import("node:crypto").createHash | null = null;

/**
 * The transform cache key of a source: sha256 of tph's version, the file, the options and the
 * text.
 *
 * @param source The file's text.
 * @param options Its file name, language, module name and options.
 * @returns The key (hex).
 */
export function cacheKey(
  source: string,
  options: TransformOptions,
  mapStamp: string | null = mapStampOf(source, options),
): string {
  const head =
    `${VERSION}\0${ABI_VERSION}\0${options.filename}\0${options.lang ?? ""}\0${options.module}\0` +
    `${options.externalCalls ?? true}\0` +
    // Only when set, so the keys of runs that do not ask stay as they were; "+names": entries
    // tagged m/c/j (an earlier tph's m/s entries are never looked up).
    (options.sourceType === undefined ? "" : `${options.sourceType}+names\0`) +
    `${options.sourceMap ? "m" : ""}${options.columnTable ? "c" : ""}${
      options.shiftMap ? "s" : ""
    }${options.guardAwaits ? "g" : ""}${options.inlineMapInStacks === false ? "n" : ""}\0` +
    // Only when there, likewise: the root names the sources of a map; the map is the file's own.
    (mapStamp === null ? "" : `${options.root ?? ""}\0${mapStamp}\0`) +
    (options.sourceScope === undefined ? "" : `${JSON.stringify(options.sourceScope)}\0`);
  return hasher()("sha256").update(head).update(source).digest("hex");
}

/** createHash, loaded on first use (see above). */
function hasher(): NonNullable<typeof createHash> {
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  // Bun's own hasher gives the same key without loading node:crypto (5–6 ms on Bun).
  return createHash ??= Bun !== undefined
    ? (() => new Bun.CryptoHasher("sha256")) as unknown as NonNullable<typeof createHash>
    // deno-lint-ignore no-explicit-any
    : (process as any).getBuiltinModule("node:crypto").createHash as NonNullable<
      typeof createHash
    >;
}

/** What a transform cache key takes of the map a file names beside it (see own_map.ts). */
function mapStampOf(source: string, options: TransformOptions): string | null {
  if (options.ownMaps === false) return null;
  return ownMapOf(options.filename, source, options.module)?.stamp ?? null;
}

/**
 * Default folder of the transform cache: `$TPH_TRANSFORM_CACHE`, else `transforms` in the user's
 * cache folder (`~/.cache/tph`). Null, with one warning line, when it is not a folder only this
 * user can write: its entries run as the program's code.
 */
export function defaultTransformCacheDir(): string | null {
  const set = process.env.TPH_TRANSFORM_CACHE;
  return checkedCacheDir(set || null);
}

/**
 * The transform cache folder to use for an option value: the default when undefined, none when
 * null, else the folder if only this user can write it (else none, with a warning).
 *
 * @param option The `cacheDir` option.
 */
export function transformCacheFolder(option: string | null | undefined): string | null {
  if (option === undefined) return defaultTransformCacheDir();
  return option === null ? null : checkedCacheDir(option);
}

const checked = new Map<string | null, string | null>();

/** The cache folder `dir` (null: the user's), made or found private; null when it is not. */
function checkedCacheDir(dir: string | null): string | null {
  let ok = checked.get(dir);
  if (ok !== undefined) return ok;
  try {
    ok = dir ?? join(userCacheDir(), "transforms");
    privateDir(ok);
  } catch (e) {
    process.stderr.write(
      `tph: warning: the transform cache is off (files are instrumented anew each run): ` +
        `${(e as Error).message}\n`,
    );
    ok = null;
  }
  checked.set(dir, ok);
  return ok;
}

let madeDir: string | null = null;

/**
 * Instrument `source`, reusing a cached result when the same input was instrumented before.
 *
 * @param source The file's text (for Deno, the transpiled JS with its inline source map).
 * @param options Filename, language, module name and cache folder.
 * @returns The instrumented code (the source itself when it does not parse).
 */
export function transform(source: string, options: TransformOptions): string {
  return transformModule(source, options).code;
}

// With options.sourceType set, a cache entry starts with one character saying whether the file
// has ES module syntax, "m", or is a script that uses CommonJS's names, "c", or one that does not,
// "j" ("?": it did not parse; its key differs from those without, so the two kinds never mix, and
// from an earlier tph's that said "s" for a script of either kind); with options.columnTable, the column table
// follows on a line of its own (it holds no line break).
function syntaxTag(moduleSyntax: boolean | null, commonJSNames: boolean): string {
  return moduleSyntax === null ? "?" : moduleSyntax ? "m" : commonJSNames ? "c" : "j";
}

/**
 * {@linkcode transform}, also telling whether the file has ES module syntax when
 * `options.sourceType` is set (from the same parse, or the cache).
 *
 * @param source The file's text.
 * @param options As for transform().
 * @returns The instrumented code and whether the file has module syntax.
 */
export function transformModule(source: string, options: TransformOptions): TransformResult {
  const cacheDir = transformCacheFolder(options.cacheDir);
  const tagged = options.sourceType !== undefined;
  let entry: string | null = null;
  let key = "";
  let folder = false;
  const own = options.ownMaps === false ? null : ownMapOf(options.filename, source, options.module);
  if (cacheDir !== null) {
    const mapStamp = own?.stamp ?? null;
    const known = options.known;
    key = options.key ?? known?.key(mapStamp) ?? cacheKey(source, options, mapStamp);
    known?.saw(key, mapStamp);
    entry = join(cacheDir, key.slice(0, 2), key + ".js");
    let text: string | null = null;
    let problem: string | null = null;
    // Only a regular file is read: a link is not followed, a FIFO never waited on.
    const kind = entryKind(entry);
    if (kind === "file") {
      try {
        text = readText(entry);
      } catch (e) {
        const err = e as { code?: string; name?: string };
        problem = `cannot be read (${err.code ?? err.name})`;
      }
    } else if (kind !== null) {
      folder = kind === "dir";
      problem = kind === "dir" ? "is a folder" : kind === "link" ? "is a link" : "is not a file";
    }
    if (text !== null) {
      const body = entryBody(text, key, source);
      if (typeof body !== "string") problem = body.problem;
      else {
        // An entry checked by sha256 (written so by an earlier tph on Node) is written again
        // with this tph's hash, so that the next run does not load node:crypto to check it.
        if (BODY_HASH !== "s" && text[text.length - body.length - 18] === "s") {
          rewrite(entry, key, source, body);
        }
        const result = unpack(body, tagged, options.columnTable === true);
        if (result !== null) return result;
        problem = "is not in the form this file needs";
      }
    }
    if (problem !== null) warnBadEntry(entry, problem);
  }
  const opts: InstrumentOptions = {
    filename: options.filename,
    lang: options.lang,
    module: options.module,
    externalCalls: options.externalCalls,
    sourceType: options.sourceType,
    sourceMap: options.sourceMap,
    shiftMap: options.shiftMap,
    columnTable: options.columnTable,
    guardAwaits: options.guardAwaits,
    root: options.root,
    sourceScope: options.sourceScope,
  };
  if (options.inlineMapInStacks === false) opts.inlineMapInStacks = false;
  const map = own?.text() ?? null;
  if (map !== null) {
    opts.inputSourceMap = map.text;
    opts.inputMapUrl = map.url;
  }
  warnIfLargeMap(map?.text ?? null, source, options.module);
  let code: string;
  let moduleSyntax: boolean | null = null;
  let commonJSNames = false;
  let columns: string | null = null;
  if (options.instrumenter !== undefined) code = options.instrumenter(source, opts);
  else {
    const result = instrument(source, opts);
    code = result.code;
    if (tagged) {
      moduleSyntax = result.moduleSyntax;
      commonJSNames = result.commonJSNames === true;
    }
    columns = result.columns ?? null;
  }
  if (entry !== null) {
    try {
      const dir = entry.slice(0, entry.lastIndexOf("/"));
      if (madeDir !== dir) {
        makeDir(dir);
        madeDir = dir;
      }
      const head = (tagged ? syntaxTag(moduleSyntax, commonJSNames) : "") +
        (options.columnTable ? `${columns ?? ""}\n` : "");
      // A folder in the entry's place is replaced when empty (a link or file is renamed over).
      if (folder) removeEmptyDir(entry);
      writeWhole(entry, entryText(key, source, head + code));
    } catch {
      // A read-only or full disk only costs the next run a parse.
    }
  }
  return { code, moduleSyntax, commonJSNames, columns };
}

/**
 * A checked entry's body as a result: with options.sourceType (`tagged`) its first character says
 * whether the file has module syntax, with options.columnTable a line of columns follows. Null
 * when it is not in that form.
 */
function unpack(body: string, tagged: boolean, columnTable: boolean): TransformResult | null {
  let text = body;
  let moduleSyntax: boolean | null = null;
  let commonJSNames = false;
  let columns: string | null = null;
  if (tagged) {
    const tag = text[0];
    if (tag !== "m" && tag !== "c" && tag !== "j" && tag !== "?") return null;
    moduleSyntax = tag === "?" ? null : tag === "m";
    commonJSNames = tag === "c";
    text = text.slice(1);
  }
  if (columnTable) {
    const eol = text.indexOf("\n");
    if (eol < 0) return null;
    columns = text.slice(0, eol);
    text = text.slice(eol + 1);
  }
  return { code: text, moduleSyntax, commonJSNames, columns };
}

/** Write an entry anew, for the same source and body (a read-only cache keeps it as it was). */
function rewrite(entry: string, key: string, source: string, body: string): void {
  try {
    writeWhole(entry, entryText(key, source, body));
  } catch {
    // Checked by sha256 again next time.
  }
}

/** The first word of an entry's header: the entry format of this tph. */
const ENTRY_FORMAT = "//tph-transform-1";
const HEADER = /^\/\/tph-transform-1 ([0-9a-f]{64}) (\d+) (\d+) ([fswz][0-9a-f]{16})\n/;

// deno-lint-ignore no-explicit-any
const ON_NODE = (globalThis as any).Bun === undefined && (globalThis as any).Deno === undefined;

/**
 * How an entry's body is hashed for its header: never by something that loads node:crypto, since
 * re-runs on Deno and Node take their keys from the manifest and never load it (3.5–8 ms on Node).
 * `c`: contentHash's (`w` on Bun, `f`, FNV-1a in JavaScript, elsewhere); on Node a body of at least
 * ZLIB_FROM characters, and every body once FNV_BUDGET characters of smaller ones were hashed,
 * `z`: node:zlib's crc32 (native: loading node:zlib and the crc of marked's 107K characters take
 * half of FNV-1a's cold loop in the program's process). An `s` entry (the first 16 hex
 * digits of its sha256, of its UTF-8, as Node wrote them for a while) is still checked by it.
 */
const BODY_HASH: "s" | "c" | "z" = "c";
/** The size of a body Node hashes by crc32 rather than FNV-1a (see BODY_HASH). */
const ZLIB_FROM = 65536;

/** The first digits of a hash, by its kind's letter (the header's last word). */
type HashKind = "s" | "c" | "z";

/** Characters of bodies this process hashed by FNV-1a when writing them, on Node (writtenKind). */
let fnvChars = 0;
/**
 * Characters of small bodies hashed by FNV-1a in a process, past which Node hashes every body it
 * writes by crc32: FNV-1a's cold loop costs Node ~17 ns a character against ~1 for crc32 (when
 * written and at each later run's check), node:zlib's load 2–4 ms once, about this many characters'
 * FNV-1a: a project of small files pays at most twice the better of the two.
 */
const FNV_BUDGET = 1 << 17;

/**
 * The kind a body is hashed by when written: BODY_HASH, or on Node `z` for a large one and for
 * every one once FNV_BUDGET characters of smaller ones were hashed (zod's 96 modules, 1.4 M
 * characters: 88 by crc32).
 */
function writtenKind(body: string): HashKind {
  if (BODY_HASH !== "c" || !ON_NODE) return BODY_HASH;
  if (body.length >= ZLIB_FROM || fnvChars >= FNV_BUDGET) return "z";
  fnvChars += body.length;
  return BODY_HASH;
}

/** node:zlib's crc32, loaded on first use; null where the runtime has none. */
let crc32: ((data: string, value?: number) => number) | null | undefined;

/**
 * The hash of an entry's body, by `kind` (see BODY_HASH). sha256 and crc32 only of a body without
 * lone surrogates: its UTF-8 does not keep them (one written to the file comes back as U+FFFD, and
 * a hash of the UTF-8 would take the changed text for the same). `z`: the crc32 of the body, then
 * of its first half.
 */
function bodyHash(body: string, kind: HashKind): string {
  if (kind === "s" && wellFormed(body)) {
    return "s" + strSlice(hasher()("sha256").update(body).digest("hex"), 0, 16);
  }
  if (kind === "z" && wellFormed(body)) {
    if (crc32 === undefined) {
      try {
        // deno-lint-ignore no-explicit-any
        crc32 = (process as any).getBuiltinModule("node:zlib").crc32 ?? null;
      } catch {
        crc32 = null;
      }
    }
    if (crc32 != null) {
      // As contentHash writes its digits.
      const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
      return "z" + hex(crc32(body)) + hex(crc32(strSlice(body, 0, body.length >>> 1)));
    }
  }
  return contentHash(body);
}

/**
 * A cache entry's text: a header line (format, key, the source's length, the body's length and
 * hash), then the body.
 *
 * @param key The entry's key.
 * @param source The text it was made from.
 * @param body What the entry keeps.
 * @param kind How its body is hashed (see BODY_HASH).
 */
export function entryText(
  key: string,
  source: string,
  body: string,
  kind: HashKind = writtenKind(body),
): string {
  return `${ENTRY_FORMAT} ${key} ${source.length} ${body.length} ${bodyHash(body, kind)}\n${body}`;
}

/**
 * An entry's body, once its header says it is whole and the one asked for: of this format, of
 * this key, made from a source of this length, of the length and hash its header gives. Else
 * what is wrong with it.
 *
 * @param text The entry's text.
 * @param key The key it was looked up by.
 * @param source The text it should have been made from.
 */
export function entryBody(
  text: string,
  key: string,
  source: string,
): string | { problem: string } {
  if (text.length === 0) return { problem: "is empty" };
  const m = HEADER.exec(text);
  if (m === null) {
    return { problem: text.startsWith(ENTRY_FORMAT) ? "has a damaged header" : "is not tph's" };
  }
  if (m[1] !== key || Number(m[2]) !== source.length) return { problem: "is another file's" };
  const body = text.slice(m[0].length);
  if (body.length !== Number(m[3])) return { problem: "is cut short or lengthened" };
  // Checked by the hash the header names (an entry written by another runtime included).
  const kind = m[4][0];
  if (bodyHash(body, kind === "s" || kind === "z" ? kind : "c") !== m[4]) {
    return { problem: "was changed" };
  }
  return body;
}

let warned = false;

/** One warning line in a run, the first time a bad entry is found (each is rebuilt). */
function warnBadEntry(entry: string, problem: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(
    `tph: warning: the transform cache entry ${entry} ${problem}: instrumenting the file ` +
      `anew, and replacing the entry\n`,
  );
}

let warnedLarge = false;

/**
 * One warning line in a run, for the first map the instrumenter leaves out for its size (more
 * than MAX_MAP_SEGMENTS segments: _positions.ts): the file's own map, or its inline one. Only a
 * map whose text is long enough to hold that many is counted (in its text, not parsed).
 *
 * @param own The text of the map the file names beside it, if read.
 * @param source The file's text.
 * @param shown How the file is named (its module name).
 */
function warnIfLargeMap(own: string | null, source: string, shown: string): void {
  if (warnedLarge) return;
  // Each segment takes a character and a separator at least: 4 per 3 in base64.
  let text = own;
  if (text === null) {
    const inline = findInlineMap(source);
    if (inline === null || inline.data.length < (MAX_MAP_SEGMENTS * 8) / 3) return;
    text = Buffer.from(inline.data, "base64").toString("utf8");
  }
  if (text.length < MAX_MAP_SEGMENTS * 2) return;
  const segments = mapTextSegments(text);
  if (segments <= MAX_MAP_SEGMENTS) return;
  warnedLarge = true;
  process.stderr.write(
    `tph: warning: the source map of ${shown} has ${segments} mappings, more than ` +
      `${MAX_MAP_SEGMENTS} that tph reads: its functions are shown at their places in ${shown}\n`,
  );
}
