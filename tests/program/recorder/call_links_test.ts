// callLinks (to_json.ts), the run writer's tree of a trace's calls: for `tph run`'s trace (from the
// tape's first row, every row its own) the parents are the tape's own column, not a copy, and no
// list of rows is made (the writer's peak memory, issue 49); with another trace's calls among its
// rows, the links are made as before. Both checked against the links made the plain way.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { BELOW_BIG, callLinks } from "../../../src/program/recorder/to_json.ts";
import type { TraceState } from "../../../src/program/recorder/trace_state.ts";

const SOURCE = `
export function leaf(i) { return i; }
export function mid(i) { leaf(i); return leaf(i + 1); }
export function top(n) { for (let i = 0; i < n; i++) mid(i); return n; }
`;

// deno-lint-ignore no-explicit-any
async function load(): Promise<{ m: any; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tph-links-"));
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file }).code);
  return { m: await import(file), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The links the plain way: each of the trace's rows in order, its parent's index by row. */
function plainLinks(t: TraceState): { rows: number[]; parents: number[] } {
  const tp = t.tape, rows: number[] = [], parents: number[] = [], index = new Map<number, number>();
  for (let row = t.firstRow; row < tp.rows; row++) {
    if (tp.slot[row] !== t.slot) continue;
    index.set(row, rows.length);
    rows.push(row);
    const p = tp.parent[row];
    parents.push(p < 0 ? -1 : index.get(p) ?? -1);
  }
  return { rows, parents };
}

function stop(t: TraceState): void {
  t.active = false;
  runtime().detach(t);
}

Deno.test("callLinks: tph run's trace takes the tape's parents as they are; another trace's rows among its own are left out as before", async () => {
  const { m, done } = await load();
  const rt = runtime();
  try {
    // One trace alone on a new tape: every row its own.
    const t = rt.startTrace({ maxCalls: 10_000 });
    rt.setProcessTrace(t);
    m.top(5);
    rt.setProcessTrace(null);
    stop(t);
    assert.equal(t.firstRow, 0);
    const want = plainLinks(t);
    assert.equal(want.rows.length, 16);
    const links = callLinks(t, false);
    assert.equal(links.n, 16);
    assert.equal(links.rowOf, null, "no list of rows: each call's row is its index");
    assert.equal(links.parent.buffer, t.tape.parent.buffer, "the tape's parents, not a copy");
    assert.deepEqual([...links.parent.subarray(0, links.n)], want.parents);
    assert.deepEqual([...links.below.subarray(0, 2)], [15, 2]);
    assert.deepEqual([...links.belowBig!], [], "no call of BELOW_BIG descendants or more");
    // Asked with the children's lists (the JSON writer), the rows are listed.
    assert.deepEqual([...callLinks(t, true).rowOf!.subarray(0, 16)], want.rows);

    // Two traces on one tape, the second's calls between the first's.
    const a = rt.startTrace({ maxCalls: 10_000 });
    rt.setProcessTrace(a);
    m.top(2);
    const b = rt.startTrace({ maxCalls: 10_000 });
    rt.setProcessTrace(b);
    m.top(1);
    rt.setProcessTrace(a);
    m.top(3);
    rt.setProcessTrace(null);
    stop(b);
    stop(a);
    assert.equal(a.firstRow, 0);
    assert.equal(a.tape, b.tape);
    for (const x of [a, b]) {
      const w = plainLinks(x), got = callLinks(x, false);
      assert.equal(got.n, w.rows.length);
      assert.notEqual(got.rowOf, null);
      assert.deepEqual([...got.rowOf!.subarray(0, got.n)], w.rows);
      assert.deepEqual([...got.parent.subarray(0, got.n)], w.parents);
    }
    assert.equal(callLinks(a, false).n, 7 + 10);
  } finally {
    done();
  }
});

/** Each call's descendants the plain way, by index (the trace's calls in pre-order). */
function plainBelow(parents: number[]): number[] {
  const below = parents.map(() => 0);
  for (let i = parents.length - 1; i >= 0; i--) {
    if (parents[i] >= 0) below[parents[i]] += below[i] + 1;
  }
  return below;
}

Deno.test("callLinks: without lists, each call's descendants in a byte, the counts of BELOW_BIG or more by index in a Map; with lists, four bytes", async () => {
  const { m, done } = await load();
  const rt = runtime();
  try {
    const t = rt.startTrace({ maxCalls: 10_000 });
    rt.setProcessTrace(t);
    // 84 calls of mid under the first top: 252 descendants, one below BELOW_BIG; 85: 255.
    m.top(84);
    m.top(85);
    m.top(300);
    rt.setProcessTrace(null);
    stop(t);
    const want = plainBelow(plainLinks(t).parents);
    const links = callLinks(t, false);
    assert.equal(links.n, want.length);
    assert.ok(links.below instanceof Uint8Array);
    const got = [...links.below.subarray(0, links.n)].map((d, i) =>
      d === BELOW_BIG ? links.belowBig!.get(i)! : d
    );
    assert.deepEqual(got, want);
    const tops = [0, 1 + 84 * 3, 2 + 84 * 3 + 85 * 3];
    assert.deepEqual(tops.map((i) => want[i]), [252, 255, 900]);
    assert.deepEqual([...links.belowBig!].sort((x, y) => x[0] - y[0]), [[tops[1], 255], [
      tops[2],
      900,
    ]]);
    const listed = callLinks(t, true);
    assert.ok(listed.below instanceof Int32Array);
    assert.equal(listed.belowBig, null);
    assert.deepEqual([...listed.below.subarray(0, listed.n)], want);
  } finally {
    done();
  }
});

Deno.test("callLinks: the run writer's `below` and `done` are made in the tape's unwritten `prev` column, and writeTraceRun gives it back as zeros with the same run", async () => {
  const { m, done } = await load();
  const rt = runtime();
  const dir = mkdtempSync(join(tmpdir(), "tph-links-borrow-"));
  try {
    const t = rt.startTrace({ maxCalls: 10_000 });
    rt.setProcessTrace(t);
    m.top(5);
    rt.setProcessTrace(null);
    stop(t);
    const tp = t.tape;
    assert.equal(tp.prevWritten, false);
    const own = callLinks(t, false);
    assert.equal(own.borrowed, null, "not borrowed unless asked");
    const lent = callLinks(t, false, true);
    assert.notEqual(lent.borrowed, null);
    assert.equal(lent.below.buffer, tp.prev.buffer, "below in the tape's prev column");
    assert.equal(lent.done.buffer, tp.prev.buffer, "done in the tape's prev column");
    assert.deepEqual([...lent.below.subarray(0, lent.n)], [...own.below.subarray(0, own.n)]);
    assert.deepEqual([...lent.done.subarray(0, lent.n)], [...own.done.subarray(0, own.n)]);
    // Lists wanted (the JSON writer): never borrowed.
    assert.equal(callLinks(t, true, true).borrowed, null);
    lent.borrowed!.fill(0);
    // The writer borrows it and gives it back: prev all 0 again, the same bytes as written
    // from memory of its own (encodeTraceRun borrows too).
    const { writeTraceRun } = await import("../../../src/program/recorder/run_writer.ts");
    const a = join(dir, "a.tph"), b = join(dir, "b.tph");
    writeTraceRun(t, null, a, {});
    assert.ok(tp.prev.every((v) => v === 0), "prev given back as zeros");
    tp.prevWritten = true; // not borrowed: its rows could hold a handle
    writeTraceRun(t, null, b, {});
    tp.prevWritten = false;
    assert.deepEqual(readFileSync(a), readFileSync(b));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    done();
  }
});
