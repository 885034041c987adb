// The run writer's count of the calls left out under each call's descendants (run_writer.ts,
// droppedUnder): for `tph run`'s trace (from the tape's first row) it adds each left-out count up
// its chain of ancestors while that takes fewer steps than there are calls (default settings: the
// few calls open at max_calls), else one pass over every call. Both checked against the counts
// the written run's own records add up.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import { openRun } from "../../../src/run_file/decode.ts";

const SOURCE = `
export function leaf(x) { return x; }
// Down to n, then on the way back up a call at every depth (past max_calls: counted there).
export function down(n) { if (n > 0) down(n - 1); leaf(n); return n; }
export function deep(n) { return n === 0 ? 0 : deep(n - 1); }
export function top(k, n) { for (let i = 0; i < k; i++) deep(n); return down(n); }
`;

/** Per record of the run, [left out under it, under its descendants, and what they add up to]. */
function counts(path: string): { below: number[]; sums: number[]; total: number } {
  const run = openRun(path);
  const dropped: number[] = [], below: number[] = [], depths: number[] = [];
  run.scan((r, depth) => {
    dropped.push(r.dropped);
    below.push(r.droppedBelow);
    depths.push(depth);
    return true;
  });
  run.close();
  // Each record's descendants follow it, deeper than it (pre-order).
  const sums = dropped.map((_, i) => {
    let sum = 0;
    for (let j = i + 1; j < dropped.length && depths[j] > depths[i]; j++) sum += dropped[j];
    return sum;
  });
  return { below, sums, total: dropped.reduce((a, b) => a + b, 0) };
}

Deno.test("calls left out under each call's descendants: a few up their ancestors, many by a pass over every call", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-dropped-below-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: file }).code);
    // deno-lint-ignore no-explicit-any
    const m: any = await import(pathToFileURL(file).href);
    const rt = runtime();
    // [calls before the chain, its depth, max_calls, max_depth]: the limit reached at the chain's
    // bottom (a count at every depth on the way up: more steps than calls); a few left out under
    // deep calls (max_depth) and at max_calls at the top (fewer).
    const cases = [[0, 60, 61, 1000], [3, 40, 150, 30], [2, 50, 40, 20]];
    for (const [k, n, maxCalls, maxDepth] of cases) {
      const t = rt.startTrace({ maxCalls, maxDepth });
      rt.setProcessTrace(t);
      m.top(k, n);
      t.active = false;
      rt.setProcessTrace(null);
      rt.detach(t);
      // From the tape's first row: tph run's trace, where the writer takes either way.
      assert.equal(t.firstRow, 0);
      assert.ok(t.droppedTotal > 0 && t.dropped.size > 0);
      const out = join(dir, `run-${k}-${n}.tph`);
      writeTraceRun(t, null, out);
      const { below, sums, total } = counts(out);
      assert.deepEqual(below, sums, `case ${[k, n, maxCalls, maxDepth]}`);
      assert.equal(total + t.droppedAtRoot, t.droppedTotal);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
