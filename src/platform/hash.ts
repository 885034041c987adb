// FNV-1a over a string's UTF-16 code units: names for cached files and folders, never a security
// measure (the transform cache verifies its entries by content; see src/program/loader/).

import { BigInt, Math } from "./globals.ts";
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
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), PRIME);
  return h >>> 0;
}

/**
 * 16 hex digits: two FNV-1a lanes with different seeds.
 *
 * @param text The string.
 */
export function shortHash(text: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return hex(fnv1a(text)) + hex(fnv1a(text, SECOND));
}

// Bun's native hash, as it is when tph loads (the program may replace it later).
// deno-lint-ignore no-explicit-any
const bunHash: ((text: string) => bigint | number) | undefined = (globalThis as any).Bun?.hash;

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
    return "w" + BigInt.asUintN(64, BigInt(bunHash(text))).toString(16).padStart(16, "0");
  }
  let a = OFFSET;
  let b = SECOND;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, PRIME);
    b = Math.imul(b ^ c, PRIME);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  return "f" + hex(a) + hex(b);
}
