// Lines as every line terminator of the language ends them (src/program/instrument/_positions.ts).

import assert from "node:assert/strict";
import { lineCount, lineStarts } from "../../../src/program/instrument/_positions.ts";

Deno.test("lineStarts and lineCount find every line terminator, and agree", () => {
  assert.deepEqual(lineStarts(""), [0]);
  assert.deepEqual(lineStarts("a\nb"), [0, 2]);
  assert.deepEqual(lineStarts("a\r\nb\rc\u2028d\u2029e\n"), [0, 3, 5, 7, 9, 11]);
  const pieces = ["x", "\n", "\r", "\r\n", "\u2028", "\u2029", "yz", "\n\n"];
  let seed = 3;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let k = 0; k < 500; k++) {
    let s = "";
    const n = rand(12);
    // Half the texts with \n alone: lineCount's quick path.
    const only = k % 2 === 0 ? 3 : pieces.length;
    for (let i = 0; i < n; i++) {
      s += pieces[rand(only)].replace(/\r\n?|[\u2028\u2029]/g, (m) => k % 2 === 0 ? "\n" : m);
    }
    assert.equal(lineCount(s), lineStarts(s).length, JSON.stringify(s));
  }
});
