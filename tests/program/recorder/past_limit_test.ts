import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { callTree } from "../../../src/program/recorder/to_json.ts";

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
