// A tape starts small and grows in steps (Bun: BUN_STEP rows first, then twice at a step) towards the room its traces may need
// (src/program/recorder/tape.ts, Tape.plan): values recorded before and after each move are kept;
// value columns grow by chunks that are never copied.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  argAt,
  BUN_STEP,
  FIRST_ROWS,
  setArgAt,
  setValueAt,
  Tape,
  VALUE_BITS,
  valueAt,
} from "../../../src/program/recorder/tape.ts";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { trace } from "../../../mod.ts";

/** The tape's ten typed columns, in one order for every test. */
const typedColumns = (t: Tape) => [
  t.fn,
  t.parent,
  t.prev,
  t.start,
  t.end,
  t.awaited,
  t.state,
  t.slot,
  t.marks,
  t.argsAt,
];

/** Marks the columns a tape writes only once some call needs them as written. */
function everyColumnWritten(tape: Tape): void {
  tape.prevWritten =
    tape.awaitedWritten =
    tape.slotted =
    tape.argsWritten =
      true;
}

Deno.test("the room grows to BUN_STEP, then twice at a step to the planned room, keeping every row's values", () => {
  // Bun's way (on V8 the planned room is made at once: the next test).
  const atOnce = Tape.roomAtOnce;
  Tape.roomAtOnce = false;
  try {
    growsInSteps();
  } finally {
    Tape.roomAtOnce = atOnce;
  }
});

Deno.test("where typed arrays cost nothing until written, the planned room is made at once", () => {
  const atOnce = Tape.roomAtOnce;
  Tape.roomAtOnce = true;
  try {
    const tape = new Tape(0, FIRST_ROWS);
    tape.plan(50_001);
    for (let row = 0; row < FIRST_ROWS; row++) {
      tape.fn[row] = row + 1;
      setValueAt(tape, tape.result, row, -row);
    }
    tape.rows = FIRST_ROWS;
    tape.grow();
    assert.equal(tape.cap, 50_001);
    assert.equal(tape.parent.length, 50_001);
    for (let row = 0; row < FIRST_ROWS; row++) {
      assert.equal(tape.fn[row], row + 1);
      assert.equal(valueAt(tape, tape.result, row), -row);
    }
    // Past it, twice.
    tape.grow();
    assert.equal(tape.cap, 100_002);
  } finally {
    Tape.roomAtOnce = atOnce;
  }
});

Deno.test("a tape's typed columns are views of one buffer, each keeping its own rows as it grows", () => {
  // One buffer a step: on Bun each typed array made reports its memory, and a report can run a
  // collection right there (tape.ts, Columns). An odd room checks each view's alignment.
  const atOnce = Tape.roomAtOnce;
  Tape.roomAtOnce = true;
  try {
    const tape = new Tape(0, FIRST_ROWS);
    const typed = typedColumns;
    everyColumnWritten(tape);
    const rows = 1000;
    for (let row = 0; row < rows; row++) {
      typed(tape).forEach((col, k) => col[row] = (row * 10 + k) % 251);
    }
    tape.rows = rows;
    for (const col of typed(tape)) assert.equal(col.buffer, tape.fn.buffer);
    const before = typed(tape);
    tape.plan(50_001);
    tape.grow();
    assert.equal(tape.cap, 50_001);
    // The old columns' memory is freed as the tape grows (transfer), not left to a collection.
    for (const col of before) assert.equal(col.length, 0);
    for (const col of typed(tape)) {
      assert.equal(col.buffer, tape.fn.buffer);
      assert.equal(col.length, 50_001);
    }
    for (let row = 0; row < rows; row++) {
      typed(tape).forEach((col, k) => assert.equal(col[row], (row * 10 + k) % 251));
    }
    // Rows past the old room are zeros in every column (none shares another's memory).
    for (const col of typed(tape)) assert.equal(col[50_000], 0);
    typed(tape).forEach((col, k) => col[50_000] = k + 1);
    typed(tape).forEach((col, k) => assert.equal(col[50_000], k + 1));
  } finally {
    Tape.roomAtOnce = atOnce;
  }
});

Deno.test("resizable columns (Bun's) grow in place: the same buffers, every row kept, nothing shared", () => {
  // tape.ts, resizableColumns: a copy writes every page of the new columns, and a page first
  // written is what costs on a virtual machine; grown in place, nothing is copied.
  const was = Tape.resizable;
  const atOnce = Tape.roomAtOnce;
  Tape.resizable = true;
  Tape.roomAtOnce = false;
  try {
    const tape = new Tape(0, FIRST_ROWS);
    const typed = typedColumns;
    // A short program's tape reserves nothing: one buffer until the tape first grows.
    for (const col of typed(tape)) assert.equal((col.buffer as ArrayBuffer).resizable, false);
    everyColumnWritten(tape);
    const rows = 1000;
    for (let row = 0; row < rows; row++) {
      typed(tape).forEach((col, k) => col[row] = (row * 10 + k) % 251);
      setValueAt(tape, tape.result, row, -row);
    }
    tape.rows = rows;
    tape.plan(BUN_STEP * 2 + 1);
    tape.grow();
    assert.equal(tape.cap, BUN_STEP);
    const buffers = typed(tape).map((col) => col.buffer);
    assert.equal(new Set(buffers).size, buffers.length);
    for (const b of buffers) assert.equal((b as ArrayBuffer).resizable, true);
    tape.grow();
    assert.equal(tape.cap, BUN_STEP * 2);
    typed(tape).forEach((col, k) => {
      assert.equal(col.buffer, buffers[k]);
      assert.equal(col.length, BUN_STEP * 2);
    });
    for (let row = 0; row < rows; row++) {
      typed(tape).forEach((col, k) => assert.equal(col[row], (row * 10 + k) % 251));
      assert.equal(valueAt(tape, tape.result, row), -row);
    }
    const last = BUN_STEP * 2 - 1;
    for (const col of typed(tape)) assert.equal(col[last], 0);
    typed(tape).forEach((col, k) => col[last] = k + 1);
    typed(tape).forEach((col, k) => assert.equal(col[last], k + 1));
    // Past the room reserved (8 times the first), new buffers: the rows copied once.
    tape.resize(BUN_STEP * 8 + 1);
    typed(tape).forEach((col, k) => {
      assert.notEqual(col.buffer, buffers[k]);
      assert.equal((col.buffer as ArrayBuffer).resizable, true);
      assert.equal(col[last], k + 1);
      assert.equal(col[1], (10 + k) % 251);
    });
  } finally {
    Tape.resizable = was;
    Tape.roomAtOnce = atOnce;
  }
});

function growsInSteps(): void {
  const tape = new Tape(0, FIRST_ROWS);
  const planned = BUN_STEP * 3 + 1;
  tape.plan(planned);
  tape.plan(20_000);
  for (let row = 0; row < FIRST_ROWS; row++) {
    tape.fn[row] = row;
    setValueAt(tape, tape.a0, row, [`a${row}`]);
    setValueAt(tape, tape.result, row, row * 2);
  }
  tape.rows = FIRST_ROWS;
  // The first step is at least BUN_STEP rows (two steps' copies saved), later ones twice (four
  // times past BUN_STEP raised Bun's peak RSS): the planned room is passed by a doubling.
  tape.grow();
  assert.equal(tape.cap, BUN_STEP);
  tape.grow();
  assert.equal(tape.cap, BUN_STEP * 2);
  tape.grow();
  assert.equal(tape.cap, BUN_STEP * 4);
  assert.equal(tape.fn.length, BUN_STEP * 4);
  // The first value chunk grew with the room, filled, not holey: a read of a later row finds
  // undefined in the array, not on Array.prototype.
  assert.equal(tape.a0[0].length, 1 << VALUE_BITS);
  assert.equal(Object.hasOwn(tape.result[0], (1 << VALUE_BITS) - 1), true);
  for (let row = 0; row < FIRST_ROWS; row++) {
    assert.equal(tape.fn[row], row);
    assert.deepEqual(valueAt(tape, tape.a0, row), [`a${row}`]);
    assert.equal(valueAt(tape, tape.result, row), row * 2);
  }
  // Later growths double.
  tape.grow();
  assert.equal(tape.cap, BUN_STEP * 8);
}

/** Bun's way, planned for less than BUN_STEP: the planned room at the first step. */
Deno.test("a tape planned for less than Bun's first step grows to the planned room at once", () => {
  const atOnce = Tape.roomAtOnce;
  Tape.roomAtOnce = false;
  try {
    const tape = new Tape(0, FIRST_ROWS);
    tape.plan(50_001);
    tape.rows = FIRST_ROWS;
    tape.grow();
    assert.equal(tape.cap, 50_001);
  } finally {
    Tape.roomAtOnce = atOnce;
  }
});

Deno.test("value chunks are added as rows reach them, never copied", () => {
  const tape = new Tape(0, FIRST_ROWS);
  tape.plan(1 << 20);
  const rows = (1 << VALUE_BITS) * 2 + 5;
  const first: Int32Array[] = [];
  for (let row = 0; row < rows; row++) {
    // As the recorder's newRow does.
    tape.rows = row + 1;
    if (row === tape.limit) tape.more(row);
    if (row === 1 << VALUE_BITS) first[0] = tape.a0[0];
    setValueAt(tape, tape.a0, row, row);
    setValueAt(tape, tape.result, row, -row);
  }
  assert.equal(tape.a0.length, 3);
  assert.equal(tape.a0[1].length, 1 << VALUE_BITS);
  // The first chunk is the same array once full: later rows went to new chunks.
  assert.equal(tape.a0[0], first[0]);
  for (const row of [0, FIRST_ROWS, (1 << VALUE_BITS) - 1, 1 << VALUE_BITS, rows - 1]) {
    assert.equal(valueAt(tape, tape.a0, row), row);
    assert.equal(valueAt(tape, tape.result, row), -row);
  }
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

Deno.test("second and third arguments go one after another in rest, its chunks never copied once full", () => {
  const tape = new Tape(0, FIRST_ROWS);
  tape.plan(1 << 20);
  const rows = (1 << VALUE_BITS) + 100;
  let full: Int32Array | null = null;
  for (let row = 0; row < rows; row++) {
    tape.rows = row + 1;
    if (row === tape.limit) tape.more(row);
    // Calls of 1, 2 and 3 parameters in turn: only the last two keep values in rest.
    const n = row % 3 + 1;
    setValueAt(tape, tape.a0, row, `a${row}`);
    if (n > 1) tape.putRest(row, n, `b${row}`, `c${row}`);
    if (full === null && tape.rest.length === 2) full = tape.rest[0];
  }
  // 0, 1 and 2 values in turn.
  let kept = 0;
  for (let row = 0; row < rows; row++) kept += row % 3;
  assert.equal(tape.restLen, kept);
  assert.equal(tape.rest.length, 2);
  assert.equal(tape.rest[0], full);
  for (let row = 0; row < rows; row++) {
    const n = row % 3 + 1;
    assert.equal(argAt(tape, row, 0, n, false), `a${row}`);
    if (n > 1) assert.equal(argAt(tape, row, 1, n, false), `b${row}`);
    if (n > 2) assert.equal(argAt(tape, row, 2, n, false), `c${row}`);
    if (n === 1) assert.equal(tape.argsAt[row], 0);
  }
  // The last call of 3 parameters, its values in the second chunk.
  let last = rows - 1;
  while (last % 3 !== 2) last--;
  setArgAt(tape, last, 1, 3, false, "changed");
  assert.equal(argAt(tape, last, 1, 3, false), "changed");
  assert.equal(argAt(tape, last, 2, 3, false), `c${last}`);
});

Deno.test("a recorded call keeps its arguments in columns: no list for 1 to 3 parameters", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-room-"));
  try {
    const file = join(dir, "m.mjs");
    const source = `export function one(a) { return a; }
export function two(a, b) { return b; }
export function three(a, b, c) { return c; }
export function four(a, b, c, d) { return d; }`;
    writeFileSync(file, instrument(source, { filename: file }).code);
    const m = await import(file);
    const t = trace({ details: "all" });
    m.one(1);
    m.two(2, "x");
    m.three(3, undefined, 5);
    m.four(4, 5, 6, 7);
    t.stop();
    const tape = t.state.tape, rows = t.state.firstRow;
    // The first argument of a call of 1 to 3 parameters is the value itself, the others in rest.
    assert.deepEqual([0, 1, 2].map((i) => valueAt(tape, tape.a0, rows + i)), [1, 2, 3]);
    assert.equal(tape.argsAt[rows], 0);
    // A string as its index in the tape's strings (recorder.ts, keepString), its mark bit set.
    assert.equal(tape.strings[-1 - (argAt(tape, rows + 1, 1, 2, false) as number)], "x");
    assert.equal(tape.marks[rows + 1] & 2, 2);
    assert.equal(argAt(tape, rows + 2, 1, 3, false), undefined);
    assert.equal(argAt(tape, rows + 2, 2, 3, false), 5);
    assert.equal(tape.argsAt[rows + 2], tape.argsAt[rows + 1] + 1);
    // More parameters: one list.
    assert.deepEqual(valueAt(tape, tape.a0, rows + 3), [4, 5, 6, 7]);
    assert.deepEqual(
      t.roots.map((n) => n.args),
      [{ a: "1" }, { a: "2", b: '"x"' }, { a: "3", b: "undefined", c: "5" }, {
        a: "4",
        b: "5",
        c: "6",
        d: "7",
      }],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("columns written in a few rows only (or never) keep exactly those values as the tape grows", () => {
  // A column is copied as the tape grows only once a row wrote it (Tape.prevWritten, slotted,
  // awaitedWritten, argsWritten, set where the recorder writes them): one written in a single
  // row keeps it, a -0 included; one never written is made anew, all zeros.
  for (const atOnce of [false, true]) {
    const was = Tape.roomAtOnce;
    Tape.roomAtOnce = atOnce;
    try {
      const tape = new Tape(0, FIRST_ROWS);
      tape.plan(1 << 20);
      tape.prev[0] = 7;
      tape.prevWritten = true;
      tape.awaited[FIRST_ROWS - 1] = -0;
      tape.awaitedWritten = true;
      tape.putRest(FIRST_ROWS >> 1, 2, "a1", undefined);
      assert.ok(tape.argsWritten);
      for (let row = 0; row < FIRST_ROWS; row++) tape.fn[row] = row + 1;
      tape.rows = FIRST_ROWS;
      tape.grow();
      assert.ok(tape.cap > FIRST_ROWS);
      assert.equal(tape.prev[0], 7);
      assert.ok(Object.is(tape.awaited[FIRST_ROWS - 1], -0));
      assert.equal(tape.argsAt[FIRST_ROWS >> 1], 1);
      assert.equal(tape.fn[FIRST_ROWS - 1], FIRST_ROWS);
      assert.ok(!tape.slotted);
      for (let row = 0; row < tape.cap; row++) {
        assert.equal(tape.slot[row], 0);
        if (row !== 0) assert.equal(tape.prev[row], 0);
        if (row !== FIRST_ROWS >> 1) assert.equal(tape.argsAt[row], 0);
      }
      assert.equal(tape.slot.length, tape.cap);
    } finally {
      Tape.roomAtOnce = was;
    }
  }
});

Deno.test("a suspended call's time awaiting and a nested trace's rows outlive the tape's growth", async () => {
  // awaited and slot written in the first rows, then the tape grows (Bun's way and V8's), then
  // the suspended call resumes and ends.
  const dir = mkdtempSync(join(tmpdir(), "tph-room-"));
  const atOnce = Tape.roomAtOnce;
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(
      file,
      instrument(
        "export async function w(i) { await new Promise((r) => setTimeout(r, 5)); return i; }\n" +
          "export function f(i) { return i; }",
        { filename: file },
      ).code,
    );
    const m = await import(file);
    for (const way of [false, true]) {
      Tape.roomAtOnce = way;
      const n = FIRST_ROWS * 3;
      const t = trace({ maxCalls: n * 2, details: "all" });
      const p = m.w(1);
      const inner = trace({ maxCalls: 10 });
      m.f(-1);
      inner.stop();
      for (let i = 0; i < n; i++) m.f(i);
      assert.equal(await p, 1);
      t.stop();
      assert.equal(inner.roots.length, 1);
      assert.equal(inner.roots[0].args?.i, "-1");
      const w = t.roots[0];
      assert.equal(w.name, "w");
      assert.ok((w.awaited_ms ?? 0) > 0, `awaited_ms ${w.awaited_ms}`);
      assert.equal(t.roots.length, n + 1);
    }
  } finally {
    Tape.roomAtOnce = atOnce;
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("a value column keeps every value exactly, in codes or the tape's others", () => {
  const tape = new Tape(0, FIRST_ROWS);
  const list = [1, "x"];
  const values: unknown[] = [
    undefined,
    null,
    true,
    false,
    0,
    -0,
    1,
    -1,
    2 ** 30 - 2,
    2 ** 30 - 1,
    2 ** 30,
    -(2 ** 30),
    -(2 ** 30) - 1,
    -(2 ** 30) - 2,
    -(2 ** 30) - 3,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 53,
    0.5,
    NaN,
    -Infinity,
    12n,
    "text",
    list,
  ];
  values.forEach((v, row) => setValueAt(tape, tape.a0, row, v));
  values.forEach((v, row) => assert.ok(Object.is(valueAt(tape, tape.a0, row), v), `row ${row}`));
  // Most values are their code: only the rest are held in others.
  assert.equal(tape.othersLen, 15);
  // A value replaced is let go: the tape holds no object of the program's it no longer shows.
  const row = values.indexOf(list);
  setValueAt(tape, tape.a0, row, 5);
  assert.equal(valueAt(tape, tape.a0, row), 5);
  assert.ok(!tape.others.includes(list));
  // Its place is the next other value's: the others do not grow with values let go.
  setValueAt(tape, tape.result, 0, "next");
  assert.equal(tape.othersLen, 15);
  assert.equal(valueAt(tape, tape.result, 0), "next");
});
