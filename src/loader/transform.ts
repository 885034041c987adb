// Instrument a file, through a content-addressed cache so a second run does not parse again.
// Key: hash of (tph version, filename, options, source). Entries are plain files in a cache
// folder; a missing or unreadable entry is simply rebuilt, never an error.

import process from "node:process";
import { makeDir, readText, rename, writeText } from "../runtime/_files.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument, type InstrumentOptions, type Lang } from "../instrument/instrument.ts";
import { ABI_VERSION } from "../abi.ts";
import { VERSION } from "../version.ts";

/** Options of {@linkcode transform}. */
export interface TransformOptions {
  filename: string;
  lang?: Lang;
  module: string;
  /** Cache folder; null disables the cache. Default: `$TPH_TRANSFORM_CACHE` or the OS temp dir. */
  cacheDir?: string | null;
  /** Passed to the instrumenter. Default true. */
  externalCalls?: boolean;
  /** Instruments on a cache miss (default: instrument() in this thread). */
  instrumenter?: (source: string, options: InstrumentOptions) => string;
  /** The cache key, when already known (see manifest.ts); default: {@linkcode cacheKey}. */
  key?: string;
}

// Loaded on first use: a re-run whose keys are all known from its manifest never hashes, and
// node:crypto costs 2–7 ms to load on Deno.
let createHash: typeof import("node:crypto").createHash | null = null;

/**
 * The transform cache key of a source: sha256 of tph's version, the file, the options and the
 * text.
 *
 * @param source The file's text.
 * @param options Its file name, language, module name and options.
 * @returns The key (hex).
 */
export function cacheKey(source: string, options: TransformOptions): string {
  // deno-lint-ignore no-explicit-any
  createHash ??= (process as any).getBuiltinModule("node:crypto").createHash as NonNullable<
    typeof createHash
  >;
  return createHash("sha256")
    .update(
      `${VERSION}\0${ABI_VERSION}\0${options.filename}\0${options.lang ?? ""}\0${options.module}\0`,
    )
    .update(`${options.externalCalls ?? true}\0`)
    .update(source)
    .digest("hex");
}

/** Default folder of the transform cache. */
export function defaultTransformCacheDir(): string {
  return process.env.TPH_TRANSFORM_CACHE || join(tmpdir(), "tph-transform-cache");
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
  const cacheDir = options.cacheDir === undefined ? defaultTransformCacheDir() : options.cacheDir;
  let entry: string | null = null;
  if (cacheDir !== null) {
    const key = options.key ?? cacheKey(source, options);
    entry = join(cacheDir, key.slice(0, 2), key + ".js");
    try {
      return readText(entry);
    } catch {
      // Not cached yet (or unreadable): instrument below.
    }
  }
  const opts: InstrumentOptions = {
    filename: options.filename,
    lang: options.lang,
    module: options.module,
    externalCalls: options.externalCalls,
  };
  const code = options.instrumenter?.(source, opts) ?? instrument(source, opts).code;
  if (entry !== null) {
    try {
      const dir = entry.slice(0, entry.lastIndexOf("/"));
      if (madeDir !== dir) {
        makeDir(dir);
        madeDir = dir;
      }
      const tmp = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeText(tmp, code);
      rename(tmp, entry);
    } catch {
      // A read-only or full disk only costs the next run a parse.
    }
  }
  return code;
}
