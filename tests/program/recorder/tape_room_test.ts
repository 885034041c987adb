// A tape starts small and grows four times at a step towards the room its traces may need
// (src/program/recorder/tape.ts, Tape.plan): values recorded before and after each move are kept.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIRST_ROWS, Tape } from "../../../src/program/recorder/tape.ts";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { trace } from "../../../mod.ts";

Deno.test("the room grows four times at a step to the planned room, keeping every row's values", () => {
  const tape = new Tape(0, FIRST_ROWS);
  tape.plan(50_001);
  tape.plan(20_000);
  for (let row = 0; row < FIRST_ROWS; row++) {
    tape.fn[row] = row;
    tape.args[row] = [`a${row}`];
    tape.ret[row] = row * 2;
  }
  tape.rows = FIRST_ROWS;
  tape.grow();
  assert.equal(tape.cap, FIRST_ROWS * 4);
  tape.grow();
  assert.equal(tape.cap, 50_001);
  assert.equal(tape.fn.length, 50_001);
  // Filled, not holey past the old room: a read of a later row finds undefined in the array.
  assert.equal(tape.args.length, 50_001);
  assert.equal(Object.hasOwn(tape.args, 50_000), true);
  for (let row = 0; row < FIRST_ROWS; row++) {
    assert.equal(tape.fn[row], row);
    assert.deepEqual(tape.args[row], [`a${row}`]);
    assert.equal(tape.ret[row], row * 2);
  }
  // Later growths double.
  tape.grow();
  assert.equal(tape.cap, 100_002);
});

Deno.test("a tape planned for no more than twice its room doubles", () => {
  const tape = new Tape(0, FIRST_ROWS);
  tape.plan(FIRST_ROWS + 10);
  tape.grow();
  assert.equal(tape.cap, FIRST_ROWS * 2);
});

Deno.test("a trace recording past the first room keeps every call's values", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-room-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(
      file,
      instrument("export function f(i, s) { return s + i; }", { filename: file }).code,
    );
    const m = await import(file);
    const n = FIRST_ROWS * 3 + 7;
    const t = trace({ maxCalls: n, details: "all" });
    for (let i = 0; i < n; i++) m.f(i, "v");
    t.stop();
    const roots = t.roots;
    assert.equal(roots.length, n);
    for (const i of [0, FIRST_ROWS - 1, FIRST_ROWS, FIRST_ROWS + 1, n - 1]) {
      assert.deepEqual(roots[i].args, { i: String(i), s: '"v"' }, `call ${i}`);
      assert.equal(roots[i].return_value, `"v${i}"`, `call ${i}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
