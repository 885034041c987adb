// FNV-1a over a string's UTF-16 code units: names for cached files and folders, never a security
// measure (the transform cache verifies its entries by content; see src/program/loader/).

import { Math } from "./globals.ts";
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
