import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { callTree } from "../../../src/program/recorder/to_json.ts";

// An async call below max_depth is not recorded, but it resumes after its await: the calls it
// makes then must stay cut and be counted where the cut is, not turn up as new roots.
const SOURCE = `
export function leaf(x) { return x + 1; }
export async function deep(x) { await null; return leaf(x) + leaf(x); }
export async function mid(x) { return await deep(x); }
export async function top() { return await mid(1); }
`;

Deno.test("calls made after an await by a call cut by max_depth stay cut", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-limits-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: file }).code);
    const m = await import(file);
    const rt = runtime();
    const t = runtime().startTrace({ maxDepth: 2 });
    rt.setProcessTrace(t);
    await m.top();
    await new Promise((r) => setTimeout(r, 10));
    t.active = false;
    rt.setProcessTrace(null);
    const roots = callTree(t);
    assert.deepEqual(roots.map((r) => r.name), ["top"]);
    assert.deepEqual(roots[0].children.map((c) => c.name), ["mid"]);
    // deep() and its two leaf() calls, all counted on mid(), where the cut is.
    assert.equal(roots[0].children[0].dropped, 3);
    assert.equal(t.droppedTotal, 3);
    assert.equal(t.callCount, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
