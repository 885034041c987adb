// Unit tests of the instrumenter's insertion buffer: where text lands relative to the code and
// to other insertions at the same offset.

import assert from "node:assert/strict";
import { Edits } from "../../../src/program/instrument/_edits.ts";

Deno.test("Edits.toString() returns the source unchanged when nothing was inserted", () => {
  const e = new Edits("a + b");
  assert.equal(e.toString(), "a + b");
});

Deno.test("Edits puts left insertions before right ones at one offset, in call order", () => {
  const e = new Edits("ab");
  e.appendRight(1, "R1");
  e.appendLeft(1, "L1");
  e.appendRight(1, "R2");
  e.appendLeft(1, "L2");
  assert.equal(e.toString(), "aL1L2R1R2b");
});

Deno.test("Edits.prependLeft() goes before earlier left insertions", () => {
  const e = new Edits("f(x)");
  e.appendLeft(3, ")");
  e.prependLeft(3, "]");
  e.appendRight(3, "!");
  assert.equal(e.toString(), "f(x])!)");
});

Deno.test("Edits handles the first and last offsets and unordered insertions", () => {
  const e = new Edits("xyz");
  e.appendRight(3, "}");
  e.appendLeft(0, "{");
  e.appendRight(0, "<");
  e.appendLeft(2, "|");
  assert.equal(e.toString(), "{<xy|z}");
});
