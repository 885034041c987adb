// Tapes rotated while traces record (R.rotateTapes: a server's run per request): each trace keeps
// its own calls, async ones resumed on a tape left behind included, and a tape left behind is
// retired once its last trace stopped, so memory stays bounded while an outer trace records on.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { trace } from "../../../mod.ts";
import { formatCalls } from "../instrument/_calls.ts";

const SOURCE = `
export function child(i) { return i; }
export function noise() { return 1; }
export async function slow(gate, i) { child(i); await gate; return child(i + 1); }
`;

// deno-lint-ignore no-explicit-any
async function load(): Promise<{ m: any; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tph-rotate-"));
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file }).code);
  return { m: await import(file), done: () => rmSync(dir, { recursive: true, force: true }) };
}

Deno.test("traces overlapping across rotated tapes keep their own calls; old tapes retire", async () => {
  const { m, done } = await load();
  const rt = runtime();
  rt.rotateTapes(8);
  try {
    const outer = trace();
    m.noise();
    const gates: (() => void)[] = [];
    const runs: Promise<ReturnType<typeof trace>>[] = [];
    let maxLive = 0;
    // 200 overlapping traces, each starting while the previous ones still wait: every few
    // starts a new tape, the older ones left behind with traces on them.
    for (let i = 0; i < 200; i++) {
      let release!: () => void;
      const gate = new Promise<void>((r) => release = r);
      gates.push(release);
      // A block that records nothing: one more trace start (rotations happen at starts).
      trace({ label: `t${i}` }).stop();
      runs.push(trace.run(async () => await m.slow(gate, i * 10)));
      // Release the one started 3 before: at most a few traces in flight.
      if (i >= 3) {
        gates[i - 3]();
        await runs[i - 3];
      }
      maxLive = Math.max(maxLive, rt.liveTapes());
    }
    for (let i = 197; i < 200; i++) gates[i]();
    const done3 = await Promise.all(runs);
    m.noise();
    outer.stop();
    for (let i = 0; i < 200; i++) {
      const h = done3[i];
      assert.equal(
        formatCalls(h.roots),
        `slow(gate=Promise {}, i=${i * 10}) -> ${i * 10 + 1}\n` +
          `  child(i=${i * 10}) -> ${i * 10}\n  child(i=${i * 10 + 1}) -> ${i * 10 + 1}`,
        `trace ${i}`,
      );
    }
    assert.equal(formatCalls(outer.roots), "noise() -> 1\nnoise() -> 1");
    // The outer trace's tape, and the few with traces in flight: not one per rotation.
    assert.ok(maxLive <= 6, `${maxLive} live tapes`);
    // The outer trace's tape holds only the rows written before it was left behind (and in
    // its window after): not the 600 of the traces that came later.
    assert.ok(outer.state.tape.rows < 60, `${outer.state.tape.rows} rows on the outer tape`);
    assert.notEqual(done3[199].state.tape, outer.state.tape);
    assert.equal(rt.liveTapes(), 1);
  } finally {
    rt.rotateTapes(Infinity);
    done();
  }
});
