// Aligning two sequences (the children of two matched calls): which items pair up, in order.
// Myers' O((N+M)·D) algorithm on what is left once the common start and end are set aside, bounded
// in D: past the bound (lists that differ everywhere) a greedy in-order pairing takes over, so a
// loop of 10,000 sibling calls aligns in linear time whatever it holds.

/** Edits past which Myers' algorithm gives way to the greedy pairing (its memory is O(D²)). */
export const MAX_EDITS = 1000;

/**
 * Pairs of equal items of `a` and `b`, in order: a longest common subsequence when the two differ
 * in at most `maxEdits` insertions and deletions, else a greedy one.
 *
 * @param n Items of a.
 * @param m Items of b.
 * @param eq Whether a's item i equals b's item j.
 * @param greedyKey For the greedy pairing: a key per item of a (`side` 0) and of b (1); items with
 *   the same key pair up in order. Null: no pairing past the bound.
 * @returns Pairs as [i, j] flattened: i0, j0, i1, j1, …
 */
export function align(
  n: number,
  m: number,
  eq: (i: number, j: number) => boolean,
  greedyKey: ((side: 0 | 1, i: number) => number) | null,
  maxEdits = MAX_EDITS,
): number[] {
  const pairs: number[] = [];
  // The common start and end.
  let lo = 0;
  while (lo < n && lo < m && eq(lo, lo)) pairs.push(lo, lo++);
  let hiA = n, hiB = m;
  const tail: number[] = [];
  while (hiA > lo && hiB > lo && eq(hiA - 1, hiB - 1)) tail.push(--hiA, --hiB);
  const middle = myers(hiA - lo, hiB - lo, (i, j) => eq(lo + i, lo + j), maxEdits);
  if (middle !== null) {
    for (let k = 0; k < middle.length; k += 2) pairs.push(lo + middle[k], lo + middle[k + 1]);
  } else if (greedyKey !== null) {
    // Each item of b takes the first unpaired item of a with its key after the last one paired.
    const waiting = new Map<number, number[]>();
    for (let i = hiA - 1; i >= lo; i--) {
      const k = greedyKey(0, i);
      const list = waiting.get(k);
      if (list === undefined) waiting.set(k, [i]);
      else list.push(i);
    }
    let after = lo - 1;
    for (let j = lo; j < hiB; j++) {
      const list = waiting.get(greedyKey(1, j));
      if (list === undefined) continue;
      while (list.length > 0 && list[list.length - 1] <= after) list.pop();
      if (list.length === 0) continue;
      after = list.pop()!;
      pairs.push(after, j);
    }
  }
  for (let k = tail.length - 2; k >= 0; k -= 2) pairs.push(tail[k], tail[k + 1]);
  return pairs;
}

/** Myers' greedy LCS, as flattened pairs; null past `maxEdits` edits. */
function myers(
  n: number,
  m: number,
  eq: (i: number, j: number) => boolean,
  maxEdits: number,
): number[] | null {
  if (n === 0 || m === 0) return [];
  const dMax = Math.min(n + m, maxEdits);
  const off = dMax + 1;
  const v = new Int32Array(2 * dMax + 3);
  // The furthest x on each diagonal k before round d, from k = -d - 1 to d + 1.
  const rounds: Int32Array[] = [];
  for (let d = 0; d <= dMax; d++) {
    rounds.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])
        ? v[off + k + 1]
        : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && eq(x, y)) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(rounds, n, m);
    }
  }
  return null;
}

function backtrack(rounds: Int32Array[], n: number, m: number): number[] {
  const pairs: number[] = [];
  let x = n, y = m;
  for (let d = rounds.length - 1; d >= 0; d--) {
    const v = rounds[d];
    const at = (k: number) => v[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) pairs.push(--x, --y);
    x = prevX;
    y = prevY;
  }
  // Collected from the end.
  const out: number[] = [];
  for (let k = pairs.length - 2; k >= 0; k -= 2) out.push(pairs[k], pairs[k + 1]);
  return out;
}
