// Checks that a string clipped for keeping (clipString) shows in repr() exactly as the whole
// string does, for every max_repr near the cut and strings whose cut falls on escapes, control
// characters, surrogate pairs and lone surrogates. Shared by the Deno test and the Bun check.
import assert from "node:assert/strict";
import { clipString, repr, reprLimit } from "../../../src/program/recorder/repr.ts";

const PIECES = ["a", '"', "\\", "\n", "\u0001", "\ud83d\ude00", "\ud800", "\udc00", "é", " "];

/** Strings of `n` units built from PIECES in a pattern set by `seed`. */
function sample(seed: number, n: number): string {
  let s = "";
  let x = seed;
  while (s.length < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += PIECES[(x >>> 16) % PIECES.length];
  }
  return s.slice(0, n);
}

export function checkClips(): void {
  let checked = 0;
  for (let seed = 0; seed < 60; seed++) {
    for (const max of [1, 2, 3, 5, 12, 19, 20, 21, 22, 40, 120]) {
      const keep = reprLimit(max) + 1;
      for (const n of [keep - 1, keep, keep + 1, keep + 2, keep + 5, 3 * keep + 7]) {
        if (n < 0) continue;
        const s = sample(seed * 7919 + n, n);
        const kept = clipString(s, keep);
        assert.ok(kept.length <= keep, `kept ${kept.length} > ${keep}`);
        if (s.length <= keep) assert.equal(kept, s);
        assert.equal(repr(kept, max), repr(s, max), `max ${max}, ${JSON.stringify(s)}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 3000);
  // The default limit and limits past repr's own bound.
  const long = sample(1, 5000);
  assert.equal(repr(clipString(long, reprLimit(undefined) + 1)), repr(long));
  assert.equal(reprLimit(2 ** 40), 2 ** 24);
  assert.equal(reprLimit(0.5), 0);
  assert.equal(reprLimit(7.9), 7);
}
