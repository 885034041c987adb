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
import { callTree } from "../../../src/program/recorder/to_json.ts";
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
    // Its time awaiting before the growth (the clock's: a collection's pause between the timer's
    // start and the call's suspending is no time awaiting, so not compared with the timer's 30 ms).
    const awaitedOf = () => {
      const tp = t.tape;
      for (let row = t.firstRow; row < tp.rows; row++) {
        if (rt.fn(tp.fn[row]).qualname === "waits") return tp.awaited[row];
      }
      return -1;
    };
    const before = awaitedOf();
    const capBefore = t.tape.cap;
    m.many(FIRST_ROWS * 2);
    rt.setProcessTrace(null);
    stop(t);
    const tp = t.tape;
    assert.ok(tp.cap > capBefore, "the tape grew");
    assert.equal(tp.awaitedWritten, true);
    const waited = awaitedOf();
    assert.ok(before > 0 && before < 10_000, `waits() awaited ${before} ms`);
    assert.equal(waited, before);
  } finally {
    Tape.roomAtOnce = atOnce;
    done();
  }
});

const LIST_SOURCE = `
export function leaf(i) { return i; }
export function four(a, b, c, d, n) { for (let i = 0; i < n; i++) leaf(i); return 0; }
`;

Deno.test("a list of arguments waiting for its summaries keeps waiting through the tape's growth", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-sparse-"));
  const file = join(dir, "list.mjs");
  writeFileSync(file, instrument(LIST_SOURCE, { filename: file }).code);
  const m = await import(file);
  const rt = runtime();
  const atOnce = Tape.roomAtOnce;
  Tape.roomAtOnce = false;
  try {
    const t = rt.startTrace({ maxCalls: 100_000 });
    rt.setProcessTrace(t);
    const list = [1, 2];
    // Past the detail budget (20 calls), then one call open while the tape grows.
    for (let i = 0; i < 21; i++) m.four(list, 0, 0, 0, 0);
    m.four(list, 0, 0, 0, FIRST_ROWS * 2);
    rt.setProcessTrace(null);
    // Changed after the call ended: the call's summary is the list as it was then.
    list.push(3, 4, 5);
    stop(t);
    assert.ok(t.tape.cap > FIRST_ROWS, "the tape grew");
    const calls = callTree(t).filter((n) => n.name === "four");
    const last = calls[calls.length - 1];
    assert.doesNotMatch(JSON.stringify(last.args), /5/, JSON.stringify(last.args));
  } finally {
    Tape.roomAtOnce = atOnce;
    rmSync(dir, { recursive: true, force: true });
  }
});
