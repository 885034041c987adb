import { Array, Math } from "../platform/globals.ts";
function distance(a: string, b: string): number {
  // Edit distance with two neighbours swapped as one edit (`lgos` is one from `logs`), one row
  // at a time, keeping the row before too for the swaps.
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], before[j - 2] + 1);
      }
    }
    before = prev;
    prev = row;
  }
  return prev[b.length];
}

/**
 * The candidate closest to a misspelt word, for "did you mean" hints: within a third of the
 * word's length in edits (at least 1, at most 3), or one that starts with it.
 *
 * @param word What the user typed.
 * @param candidates The valid words.
 * @returns The best candidate, or null when none is close.
 *
 * @example
 * ```ts
 * import { closest } from "./src/config/closest.ts";
 * console.log(closest("max_dept", ["max_depth", "max_calls"])); // max_depth
 * ```
 */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best: string | null = null;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    const score = d <= limit
      ? d
      : w.length >= 3 && c.toLowerCase().startsWith(w)
      ? limit
      : Infinity;
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best;
}
