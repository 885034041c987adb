// The tape's `prev` and `awaited` columns are nearly always zeros: growth makes them anew rather
// than copying the zeros (tape.ts, Tape.prevWritten, awaitedWritten) until a row's is written — an await, a call
// that resumed — and from then on copies them, so that a call's time awaiting, written before the
// tape grew, is still there after.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { FIRST_ROWS, Tape } from "../../../src/program/recorder/tape.ts";
import type { TraceState } from "../../../src/program/recorder/trace_state.ts";

const SOURCE = `
export function leaf(i) { return i; }
export function many(n) { for (let i = 0; i < n; i++) leaf(i); }
export async function waits(ms) {
  leaf(1);
  await new Promise((ok) => setTimeout(ok, ms));
  return leaf(2);
}
`;

// deno-lint-ignore no-explicit-any
async function load(): Promise<{ m: any; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tph-sparse-"));
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file }).code);
  return { m: await import(file), done: () => rmSync(dir, { recursive: true, force: true }) };
}

function stop(t: TraceState): void {
  t.active = false;
  runtime().detach(t);
}

Deno.test("prev and awaited: made anew as the tape grows until written, then copied with what they hold", async () => {
  const { m, done } = await load();
  const rt = runtime();
  // Bun's way: the columns grow in steps, each a copy (on V8 the planned room is made at once).
  const atOnce = Tape.roomAtOnce;
  Tape.roomAtOnce = false;
  try {
    // No await: nothing written, the columns made anew.
    const plain = rt.startTrace({ maxCalls: 100_000 });
    rt.setProcessTrace(plain);
    m.many(FIRST_ROWS * 2);
    rt.setProcessTrace(null);
    stop(plain);
    assert.ok(plain.tape.cap > FIRST_ROWS, "the tape grew");
    assert.equal(plain.tape.prevWritten || plain.tape.awaitedWritten, false);

    // An await before the tape grows: its time awaiting is kept through the growth.
    const t = rt.startTrace({ maxCalls: 100_000 });
    rt.setProcessTrace(t);
    await m.waits(30);
    m.many(FIRST_ROWS * 2);
    rt.setProcessTrace(null);
    stop(t);
    const tp = t.tape;
    assert.ok(tp.cap > FIRST_ROWS, "the tape grew");
    assert.equal(tp.awaitedWritten, true);
    let waited = -1;
    for (let row = t.firstRow; row < tp.rows; row++) {
      if (rt.fn(tp.fn[row]).qualname === "waits") waited = tp.awaited[row];
    }
    assert.ok(waited >= 20 && waited < 10_000, `waits() awaited ${waited} ms`);
  } finally {
    Tape.roomAtOnce = atOnce;
    done();
  }
});
