// align(): the pairs it gives are equal items, in order in both sequences, and as many as a
// longest common subsequence has (checked against dynamic programming on random sequences);
// past its bound of edits, the greedy pairing still pairs equal items in order.

import assert from "node:assert/strict";
import { align } from "../../../src/cli/diff/align.ts";

function lcsLength(a: number[], b: number[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = a[i - 1] === b[j - 1]
        ? dp[i - 1][j - 1] + 1
        : Math.max(dp[i - 1][j], dp[i][j - 1]);
    }
  }
  return dp[a.length][b.length];
}

function checkPairs(a: number[], b: number[], pairs: number[]): void {
  for (let k = 0; k < pairs.length; k += 2) {
    assert.equal(a[pairs[k]], b[pairs[k + 1]], "paired items are equal");
    if (k > 0) {
      assert.ok(pairs[k] > pairs[k - 2] && pairs[k + 1] > pairs[k - 1], "pairs in order");
    }
  }
}

/** A small deterministic generator (the test is the same every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    return (s >>> 8) / (1 << 24);
  };
}

Deno.test("align() finds a longest common subsequence of random sequences", () => {
  const rnd = random(7);
  for (let round = 0; round < 2000; round++) {
    const n = Math.floor(rnd() * 12), m = Math.floor(rnd() * 12), k = 1 + Math.floor(rnd() * 4);
    const a = Array.from({ length: n }, () => Math.floor(rnd() * k));
    const b = Array.from({ length: m }, () => Math.floor(rnd() * k));
    const pairs = align(n, m, (i, j) => a[i] === b[j], null);
    checkPairs(a, b, pairs);
    assert.equal(pairs.length / 2, lcsLength(a, b), `a=${a} b=${b}`);
  }
});

Deno.test("align() keeps the common start and end, and aligns around one insertion", () => {
  const a = Array.from({ length: 10_000 }, (_, i) => i % 7);
  const b = [...a.slice(0, 5000), 99, ...a.slice(5000)];
  const pairs = align(a.length, b.length, (i, j) => a[i] === b[j], null);
  assert.equal(pairs.length / 2, 10_000);
  checkPairs(a, b, pairs);
  assert.ok(!pairs.some((x, k) => k % 2 === 1 && x === 5000), "the inserted item is not paired");
});

Deno.test("align() past its bound of edits pairs by key, in order", () => {
  const n = 200_000;
  const a = Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
  const b = Array.from({ length: n }, (_, i) => (i * 104729) % 1000);
  const pairs = align(n, n, (i, j) => a[i] === b[j], (side, i) => side === 0 ? a[i] : b[i], 50);
  checkPairs(a, b, pairs);
  assert.ok(pairs.length > 0);
  // Without a key, nothing is paired past the bound (but the common start and end).
  assert.deepEqual(align(3, 3, (i, j) => [1, 2, 3][i] === [3, 2, 1][j], null, 0), []);
});
