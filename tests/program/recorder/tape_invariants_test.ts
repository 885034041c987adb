// The recorder's invariants (see src/program/recorder/tape.ts): a call's handle never reaches a row of
// another tape however many tapes later it ends, and a trace's slot on a tape never wraps.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { trace } from "../../../mod.ts";
import { formatCalls } from "../instrument/_calls.ts";

const SOURCE = `
export function child() { return 2; }
export function noise() { return 1; }
export function tick(i) { return i; }
export async function slow(gate) { await gate; return child(); }
`;

// deno-lint-ignore no-explicit-any
async function load(): Promise<{ m: any; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tph-tape-"));
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file }).code);
  return { m: await import(file), done: () => rmSync(dir, { recursive: true, force: true }) };
}

Deno.test("an async call resuming many tapes after its trace stopped touches no other trace", async () => {
  const { m, done } = await load();
  try {
    // Each trace.run() below starts a new tape (no other trace records): `gap` tapes between
    // the one slow() started on and the one it resumes on (128 wrapped a 7-bit generation).
    for (const gap of [1, 127, 128, 255, 256]) {
      let release!: () => void;
      const gate = new Promise<void>((r) => release = r);
      let pending!: Promise<number>;
      const first = trace.run(() => {
        pending = m.slow(gate);
      });
      for (let i = 0; i < gap - 1; i++) trace.run(() => m.tick(i));
      const last = await trace.run(async () => {
        m.noise();
        release();
        assert.equal(await pending, 2);
        m.noise();
      });
      assert.equal(formatCalls(last.roots), "noise() -> 1\nnoise() -> 1", `gap ${gap}`);
      assert.equal(last.callCount, 2);
      assert.equal(formatCalls(first.roots), "slow(gate=Promise {}) [unfinished]");
    }
  } finally {
    done();
  }
});

Deno.test("65,537 trace blocks inside a running trace each keep their own calls", async () => {
  const { m, done } = await load();
  try {
    const outer = trace();
    m.noise();
    const n = 65_537;
    let last = null;
    for (let i = 0; i < n; i++) last = trace.run(() => m.tick(i));
    m.noise();
    outer.stop();
    assert.equal(last!.callCount, 1);
    assert.equal(formatCalls(last!.roots), `tick(i=${n - 1}) -> ${n - 1}`);
    assert.equal(formatCalls(outer.roots), "noise() -> 1\nnoise() -> 1");
  } finally {
    done();
  }
});

Deno.test("trace blocks that record nothing give their slot back", async () => {
  const { m, done } = await load();
  try {
    const outer = trace();
    m.noise();
    for (let i = 0; i < 10_000; i++) trace.run(() => {}).stop();
    const tape = outer.state.tape;
    assert.ok(tape.traces.length < 10, `${tape.traces.length} slots for 10,000 empty traces`);
    // A block that records keeps its slot, and the next ones do not take it.
    const kept = trace.run(() => m.tick(1));
    for (let i = 0; i < 100; i++) trace.run(() => {});
    m.noise();
    outer.stop();
    assert.equal(formatCalls(kept.roots), "tick(i=1) -> 1");
    assert.equal(formatCalls(outer.roots), "noise() -> 1\nnoise() -> 1");
  } finally {
    done();
  }
});
