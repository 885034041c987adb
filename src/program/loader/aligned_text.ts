// A function's text as the engine has it when a host changed the rewritten code a little after tph
// (vite's SSR transform under vitest: a `;` after statements, imported names replaced by
// `__vite_ssr_import_0__.name`), without tph's insertions: the host's changes to the program's own
// text stay, as the function would print without tph. The text is aligned with the rewritten code
// (the fewest characters added and dropped, Myers' algorithm, the code's end left open): a
// character of the text that stands for one of the code stays unless tph inserted that one; one
// the host added stays unless it stands inside a run of tph's insertions.

import type { Insertions } from "../instrument/instrument.ts";
import { Float64Array, Int32Array, Math } from "../../platform/globals.ts";

// The most characters added or dropped that are looked for before giving up (the function then
// prints as the engine has it): each imported name the host replaces costs ~25.
const MAX_EDITS = 2000;

/**
 * The text without tph's insertions, or null when it cannot be aligned with the code.
 *
 * @param code The rewritten code (before the host's changes).
 * @param insertions Where tph inserted text into the source to make `code`.
 * @param text A function's text as the engine has it.
 */
export function withoutInsertions(
  code: string,
  insertions: Insertions,
  text: string,
): string | null {
  const start = anchor(code, text);
  if (start < 0) return null;
  const path = align(text, code, start);
  if (path === null) return null;
  const runs = insertedRuns(insertions);
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const j = path[i];
    const keep = j >= 0 ? !inRun(runs, j) : !(inRun(runs, -j - 2) && inRun(runs, -j - 1));
    if (keep) out += text[i];
  }
  return out;
}

/** Where the text starts in the code: the first place of its longest beginning found there. */
function anchor(code: string, text: string): number {
  for (let n = Math.min(text.length, 64); n >= 12; n >>= 1) {
    const at = code.indexOf(text.slice(0, n));
    if (at >= 0) return at;
  }
  return -1;
}

/**
 * For each character of `a`, the index in `b` of the one it stands for, or `-(g + 1)` when it is
 * added before `b[g]`; `a` is aligned with `b` from `b0` on, with the fewest edits, `b`'s end open.
 */
function align(a: string, b: string, b0: number): Int32Array | null {
  const n = a.length, m = b.length - b0;
  const offset = MAX_EDITS + 1;
  let v = new Int32Array(2 * MAX_EDITS + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= MAX_EDITS; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      // x: characters of a consumed; y: of b. k = x - y.
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
        ? v[offset + k + 1]
        : v[offset + k - 1] + 1;
      let y = x - k;
      if (d === 0) x = y = 0;
      if (y > m || x > n) continue;
      while (x < n && y < m && a.charCodeAt(x) === b.charCodeAt(b0 + y)) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n) return backtrack(trace, next, d, k, a.length, b0, offset);
    }
    v = next;
  }
  return null;
}

/** The alignment from the furthest points of each round (align). */
function backtrack(
  trace: Int32Array[],
  last: Int32Array,
  d: number,
  k: number,
  n: number,
  b0: number,
  offset: number,
): Int32Array {
  const path = new Int32Array(n);
  let x = last[offset + k], y = x - k;
  for (let e = d; e >= 0; e--) {
    const v = trace[e];
    let prevK: number, startX: number;
    if (e === 0) {
      prevK = 0;
      startX = 0;
    } else {
      prevK = k === -e || (k !== e && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
      startX = v[offset + prevK];
    }
    const startY = startX - prevK;
    // The snake: x and y advanced together from the edit's end.
    const snakeX = e === 0 ? 0 : prevK === k + 1 ? startX : startX + 1;
    const snakeY = snakeX - k;
    for (; x > snakeX && y > snakeY;) {
      x--;
      y--;
      path[x] = b0 + y;
    }
    if (e === 0) break;
    // The edit: a character of a added (down the x axis) or one of b dropped.
    if (prevK === k - 1) path[x - 1] = -(b0 + y) - 1;
    x = startX;
    y = startY;
    k = prevK;
  }
  return path;
}

/** tph's insertions as runs of the code: [start, end) pairs. */
function insertedRuns(insertions: Insertions): Float64Array {
  const { offsets, lengths } = insertions;
  const runs = new Float64Array(offsets.length * 2);
  let inserted = 0;
  for (let i = 0; i < offsets.length; i++) {
    runs[2 * i] = offsets[i] + inserted;
    inserted += lengths[i];
    runs[2 * i + 1] = offsets[i] + inserted;
  }
  return runs;
}

/** Whether the code's character at `j` is one tph inserted. */
function inRun(runs: Float64Array, j: number): boolean {
  let lo = 0, hi = runs.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (j < runs[2 * mid]) hi = mid - 1;
    else if (j >= runs[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}
