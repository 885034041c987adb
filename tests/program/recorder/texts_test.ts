// The tape's texts: a text stored again lately is stored once (its first index), whole and cut
// texts apart, across the batches the texts are packed in.

import assert from "node:assert/strict";
import { Texts } from "../../../src/program/recorder/tape.ts";

Deno.test("Texts stores a text that comes again once, cut and whole apart", () => {
  const texts = new Texts();
  const a = texts.add("{ a: 1 }", false);
  const b = texts.add("{ b: 2 }", false);
  assert.equal(texts.add("{ a: " + "1 }", false), a);
  const cut = texts.add("{ a: 1 }", true);
  assert.notEqual(cut, a);
  assert.equal(texts.add("{ a: 1 }", true), cut);
  assert.equal(texts.count, 3);
  assert.equal(texts.get(a), "{ a: 1 }");
  assert.equal(texts.get(b), "{ b: 2 }");
  assert.equal(texts.get(cut), "{ a: 1 }…");
  // Across packed batches: 5,000 distinct texts, each added three times.
  const first: number[] = [];
  for (let i = 0; i < 5000; i++) first.push(texts.add(`[${i}]`, i % 3 === 0));
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5000; i++) assert.equal(texts.add(`[${i}]`, i % 3 === 0), first[i]);
  }
  assert.equal(texts.count, 5003);
  for (let i = 0; i < 5000; i++) {
    assert.equal(texts.get(first[i]), `[${i}]` + (i % 3 === 0 ? "…" : ""));
  }
});

Deno.test("Texts forgets what it remembers past its bound, and stays right", () => {
  const texts = new Texts();
  const n = (1 << 16) + 10;
  const first: number[] = [];
  for (let i = 0; i < n; i++) first.push(texts.add(`t${i}`, false));
  // Past the bound the map started over: early texts are stored anew, with new indexes.
  const again = texts.add("t0", false);
  assert.equal(again, n);
  assert.equal(texts.get(again), "t0");
  for (let i = 0; i < n; i += 997) assert.equal(texts.get(first[i]), `t${i}`);
});
