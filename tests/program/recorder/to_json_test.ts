import assert from "node:assert/strict";
import { bunCheck } from "../../_harness.ts";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { traceToJSON, writeTraceJSON } from "../../../src/program/recorder/to_json.ts";
import type { CallNodeJSON } from "../../../src/types.ts";
import { checkWriter } from "./_to_json_check.ts";

// Async calls that interleave: a call's children are recorded after its parent's later
// siblings, which a writer streaming in call order would put in the wrong place.
const SOURCE = `
export async function leaf(x) { await null; return { x }; }
export async function mid(x) { const a = await leaf(x); const b = await leaf(x + 1); return [a, b]; }
export async function top() { return await Promise.all([mid(1), mid(10)]); }
export function thrower() { throw new RangeError("no"); }
export function deep(n) { return n === 0 ? 0 : deep(n - 1) + 1; }
`;

Deno.test("writeTraceJSON() writes exactly what traceToJSON() returns", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-json-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: file, module: "m.mjs" }).code);
    const m = await import(file);
    const rt = runtime();
    const t = runtime().startTrace({ maxDepth: 5, maxCalls: 1000 });
    rt.setProcessTrace(t);
    await m.top();
    try {
      m.thrower();
    } catch { /* recorded */ }
    m.deep(8);
    t.active = false;
    rt.setProcessTrace(null);
    const out = join(dir, "trace.json");
    writeTraceJSON(t, "lbl", out, { extra: 1 });
    const written = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(written, { ...traceToJSON(t, "lbl"), extra: 1 });
    const top: CallNodeJSON = written.trace[0];
    assert.equal(top.name, "top");
    const mids = top.children.filter((c) => c.name === "mid");
    assert.deepEqual(mids.map((c) => c.children.map((l) => l.args.x)), [["1", "2"], ["10", "11"]]);
    assert.equal(written.was_limited, true);
    assert.equal(written.limit_reason, "max_depth");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("writeTraceJSON() writes byte for byte what JSON.stringify() writes", async () => {
  await checkWriter();
});

Deno.test("writeTraceJSON() writes the same under Bun", () => {
  assert.match(bunCheck(new URL("./to_json_bun_check.ts", import.meta.url)), /JSON_OK/);
});
