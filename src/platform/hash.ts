// FNV-1a over a string's UTF-16 code units: names for cached files and folders, and the hash of a
// function's lines that tells `tph lsp` the function's text changed since a run; never a security
// measure (the transform cache verifies its entries by content; see src/program/loader/).

import { BigInt } from "./globals.ts";
import {
  bigToString,
  charCodeAt,
  charCodeAtIntact,
  imul,
  numToString,
  ownArray,
  strPadStart,
} from "./intrinsics.ts";

// Built-ins as captured (intrinsics.ts): the loader hashes each module it loads, after the program
// may have replaced or deleted String.prototype.charCodeAt, Math.imul or Number's toString. The
// built-in charCodeAt is called directly while it is still in place (a captured call costs Bun
// ~30 ns a character).

/** 8 hex digits. */
const hex8 = (n: number) => strPadStart(numToString(n >>> 0, 16), 8, "0");
const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;
/** The second lane's seed (any value other than OFFSET). */
const SECOND = 0x01000193 ^ 0x5bd1e995;

/**
 * FNV-1a of a string, 32 bits.
 *
 * @param text The string.
 * @param seed The start value (FNV's offset basis by default).
 */
export function fnv1a(text: string, seed = OFFSET): number {
  let h = seed;
  if (charCodeAtIntact()) {
    for (let i = 0; i < text.length; i++) h = imul(h ^ text.charCodeAt(i), PRIME);
  } else for (let i = 0; i < text.length; i++) h = imul(h ^ charCodeAt(text, i), PRIME);
  return h >>> 0;
}

/**
 * 16 hex digits: two FNV-1a lanes with different seeds.
 *
 * @param text The string.
 */
export function shortHash(text: string): string {
  return hex8(fnv1a(text)) + hex8(fnv1a(text, SECOND));
}

// Bun's native hash, as it is when tph loads (the program may replace it later).
// deno-lint-ignore no-explicit-any
const bunHash: ((text: string) => bigint | number) | undefined = (globalThis as any).Bun?.hash;
const asUintN = BigInt.asUintN;

/**
 * A string's content hash, for the transform cache's check that an entry is whole and unchanged
 * (not a security measure): `w` and 16 hex digits of Bun's native wyhash on Bun (FNV-1a in
 * JavaScript costs Bun ~25 ms a MB before its JIT warms up), else `f` and the two lanes of
 * shortHash, in one pass. An entry written on one runtime and checked on another fails the
 * check, and is rebuilt.
 *
 * @param text The string.
 */
export function contentHash(text: string): string {
  if (bunHash !== undefined) {
    return "w" + strPadStart(bigToString(asUintN(64, BigInt(bunHash(text))), 16), 16, "0");
  }
  let a = OFFSET;
  let b = SECOND;
  const direct = charCodeAtIntact();
  for (let i = 0; i < text.length; i++) {
    const c = direct ? text.charCodeAt(i) : charCodeAt(text, i);
    a = imul(a ^ c, PRIME);
    b = imul(b ^ c, PRIME);
  }
  return "f" + hex8(a) + hex8(b);
}

/**
 * A line's hash as a function's text hash takes it (spanHash): FNV-1a of the line without its
 * trailing spaces and tabs (an editor that trims them on save changes no function).
 *
 * @param text The text the line is in.
 * @param from Where the line starts.
 * @param to Where it ends (its line break excluded).
 */
export function lineHash(text: string, from = 0, to = text.length): number {
  while (to > from) {
    const c = charCodeAt(text, to - 1);
    if (c !== 32 && c !== 9) break;
    to--;
  }
  let h = OFFSET;
  for (let i = from; i < to; i++) h = imul(h ^ charCodeAt(text, i), PRIME);
  return h >>> 0;
}

/**
 * Each line's lineHash, the lines ending at `\n`, `\r\n` or `\r` (as the Language Server
 * Protocol counts them).
 *
 * @param text A file's text.
 */
export function lineHashes(text: string): number[] {
  const out: number[] = ownArray([]);
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = charCodeAt(text, i);
    if (c !== 10 && c !== 13) continue;
    out[out.length] = lineHash(text, start, i);
    if (c === 13 && charCodeAt(text, i + 1) === 10) i++;
    start = i + 1;
  }
  out[out.length] = lineHash(text, start, text.length);
  return out;
}

/**
 * The hash of a function's text: its lines' hashes (`lines[from]` to `lines[from + span]`)
 * combined, or 0 when the lines are not all there.
 *
 * @param lines Each line's lineHash.
 * @param from The function's first line (0-based).
 * @param span How many lines follow its first.
 */
export function spanHash(lines: ArrayLike<number>, from: number, span: number): number {
  if (from < 0 || span < 0 || from + span >= lines.length) return 0;
  let h = OFFSET;
  for (let i = from; i <= from + span; i++) {
    h = imul(h ^ lines[i], PRIME);
    h ^= h >>> 15;
  }
  // 0 means "unknown": a hash that comes out 0 is taken as 1.
  return (h >>> 0) || 1;
}
