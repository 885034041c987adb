// The languages the instrumenter parses, by file extension: one table for the instrumenter and
// the loaders (Bun's plugin names the same four).

/** Source languages the instrumenter parses (and Bun's loaders). */
import { Object } from "../platform/globals.ts";
export type Lang = "ts" | "tsx" | "js" | "jsx";

const LANG_BY_EXT: Readonly<Record<string, Lang>> = {
  ts: "ts",
  mts: "ts",
  cts: "ts",
  tsx: "tsx",
  jsx: "jsx",
  js: "js",
  mjs: "js",
  cjs: "js",
};

/**
 * The language of a file extension (without the dot), or of a language name; JavaScript for
 * anything else.
 *
 * @param ext `ts`, `mjs`, `tsx`…
 */
export function langOf(ext: string): Lang {
  return Object.hasOwn(LANG_BY_EXT, ext) ? LANG_BY_EXT[ext] : "js";
}
