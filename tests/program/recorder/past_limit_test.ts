import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { callTree } from "../../../src/program/recorder/to_json.ts";
import { loadInstrumented } from "./_module_trace.ts";

// Calls past max_calls are counted at e0–e3's first check, which asks whether the function
// suspends from a byte per function id (grown as ids come). An async function far past the first
// thousand ids must still get its hidden row: what it calls after its await stays counted under
// the recorded call where the cut is, not turned into roots.
const FILLER = Array.from({ length: 1200 }, (_, i) => `export function f${i}(x) { return x; }`);
const SOURCE = `
export function leaf(x) { return x + 1; }
${FILLER.join("\n")}
export async function late(x) { await null; return leaf(x) + leaf(x); }
export async function top() { f0(1); f1(1); f2(1, 2); f1199(); return await late(1); }
`;

Deno.test("an async call past max_calls with a high function id keeps its callees counted where the cut is", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-past-limit-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: file }).code);
    const m = await import(file);
    const rt = runtime();
    const t = rt.startTrace({ maxCalls: 2 });
    rt.setProcessTrace(t);
    await m.top();
    await new Promise((r) => setTimeout(r, 10));
    t.active = false;
    rt.setProcessTrace(null);
    const roots = callTree(t);
    assert.deepEqual(roots.map((r) => r.name), ["top"]);
    assert.deepEqual(roots[0].children.map((c) => c.name), ["f0"]);
    // f1, f2, f1199, late() and its two leaf() calls after the await, all counted on top().
    assert.equal(roots[0].dropped, 6);
    assert.equal(t.droppedTotal, 6);
    assert.equal(t.callCount, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Past the limit, e0–en count a call in the recorder (one compare, a byte read) and add the count
// into the trace when the open call changes, the trace counts another way, or its counts are read:
// the counts under each open call and at the root stay exact, also when read between calls.
const QUICK = `
export function leaf(x) { return x; }
export function many(n) { for (let i = 0; i < n; i++) leaf(i); return n; }
export function a() { many(4); return 1; }
export function top(read) { a(); leaf(0); many(2); read(); many(3); read(); return 1; }
`;

Deno.test("calls past max_calls are counted exactly under each open call and at the root, read between calls too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-past-limit-"));
  try {
    const file = join(dir, "q.mjs");
    writeFileSync(file, instrument(QUICK, { filename: file }).code);
    const m = await import(file);
    const rt = runtime();
    const t = rt.startTrace({ maxCalls: 3 });
    rt.setProcessTrace(t);
    const seen: number[] = [];
    const read = () => seen.push(t.droppedTotal);
    m.top(read); // top, a, many(4) recorded; many's 4 leaf() under many, the rest under top
    m.top(read); // every call at the root: top, a, many, 4 leaf, leaf, many, 2 leaf, many, 3 leaf
    rt.setProcessTrace(null);
    t.active = false;
    m.top(() => {}); // not traced
    const roots = callTree(t);
    assert.deepEqual(roots.map((r) => r.name), ["top"]);
    assert.equal(roots[0].dropped, 8);
    assert.deepEqual(roots[0].children.map((c) => c.name), ["a"]);
    assert.equal(roots[0].children[0].children[0].dropped, 4);
    assert.deepEqual(seen, [8, 12, 12 + 11, 12 + 15]);
    assert.equal(t.droppedAtRoot, 15);
    assert.equal(t.droppedTotal, 27);
    assert.equal(t.callCount, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Calls out of the traced code made by a call whose trace is full are counted where the cut is,
// as begin() counts them, and the program gets what they return; with values looked for too.
const EXTERNAL_SOURCE = `
export function leaf(x) { return x + 1; }
export function outside(xs) {
  leaf(1);
  const a = JSON.stringify(xs);
  const b = Array.isArray(xs);
  const c = JSON.parse(a);
  return [a, b, c.length, Object.keys(xs).length, leaf(2)];
}
`;

Deno.test("calls out of the traced code past max_calls are counted where the cut is", async () => {
  const { dir, m } = await loadInstrumented(EXTERNAL_SOURCE, "tph-past-limit-");
  try {
    const rt = runtime();
    for (
      const find of [undefined, [{ text: "9", value: 9, type: null, match: "equals" as const }]]
    ) {
      const t = rt.startTrace({ maxCalls: 2, find });
      rt.setProcessTrace(t);
      let out: unknown;
      for (let i = 0; i < 3; i++) out = m.outside([1, 2]);
      t.active = false;
      rt.setProcessTrace(null);
      assert.deepEqual(out, ["[1,2]", true, 2, 2, 3]);
      const roots = callTree(t);
      assert.deepEqual(roots.map((r) => r.name), ["outside"]);
      assert.deepEqual(roots[0].children.map((c) => c.name), ["leaf"]);
      // Four external calls and leaf(2) in the first call; the two later calls are cut whole
      // (outside and its two leaf calls: calls out of a call not recorded are not counted).
      assert.equal(roots[0].dropped, 5);
      assert.equal(t.droppedTotal, 5 + 2 * 3);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Past max_depth, the calls under a recorded call at the depth limit are counted the quick way
// too (the first one through record, the next by e0–en): the counts under each open call, at the
// root and in total stay exact, read between calls too, with an async call (a hidden row, whose
// calls after its await count where the cut is) and with max_calls reached on the way.
const DEEP = `
export function leaf(x) { return x; }
export function many(n) { for (let i = 0; i < n; i++) leaf(i); return n; }
export async function later() { await null; leaf(1); leaf(2); return 1; }
export function mid(read) { many(2); leaf(0); read(); many(3); later(); Array.isArray(read); parseInt("7"); read(); return 1; }
export function top(read) { mid(read); leaf(5); mid(read); return leaf(6); }
`;

Deno.test("calls past max_depth are counted exactly under each open call, read between calls too", async () => {
  const { dir, m } = await loadInstrumented(DEEP, "tph-past-depth-");
  try {
    const rt = runtime();
    for (const maxCalls of [100, 4]) {
      const t = rt.startTrace({ maxDepth: 2, maxCalls });
      rt.setProcessTrace(t);
      const seen: number[] = [];
      const read = () => seen.push(t.droppedTotal);
      m.top(read);
      await new Promise((r) => setTimeout(r, 10));
      rt.setProcessTrace(null);
      t.active = false;
      rt.detach(t);
      const roots = callTree(t);
      assert.deepEqual(roots.map((r) => r.name), ["top"]);
      const kids = roots[0].children;
      // Under each mid(): many(2) and its 2 leaf(), leaf(0), many(3) and its 3 leaf(), later()
      // and its 2 leaf() after the await, Array.isArray() and parseInt() (external calls).
      if (maxCalls === 100) {
        assert.deepEqual(kids.map((c) => c.name), ["mid", "leaf", "mid", "leaf"]);
        assert.deepEqual(kids.map((c) => c.dropped ?? 0), [13, 0, 13, 0]);
        assert.equal(t.callCount, 5);
        assert.deepEqual([...t.limitReasons], ["max_depth"]);
      } else {
        // top, mid, leaf(5), mid recorded: leaf(6) is left out by max_calls, under top.
        assert.deepEqual(kids.map((c) => c.name), ["mid", "leaf", "mid"]);
        assert.deepEqual(kids.map((c) => c.dropped ?? 0), [13, 0, 13]);
        assert.equal(roots[0].dropped, 1);
        assert.equal(t.callCount, 4);
        assert.deepEqual([...t.limitReasons].sort(), ["max_calls", "max_depth"]);
      }
      // Read in each mid() after its first calls, then after later() began: the two leaf()
      // calls after its await come once top() returned.
      assert.deepEqual(seen, [4, 11, 15, 22]);
      assert.equal(t.droppedAtRoot, 0);
      assert.equal(t.droppedTotal, maxCalls === 100 ? 26 : 27);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
