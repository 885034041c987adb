// A kept string is stored as its index in its tape's strings (recorder.ts, keepString): the same
// index for the string kept last of its length, a new one for any other; the writers make its text (its repr, scanned for secrets). With
// TPH_STRINGS=raw (setStringIds(false)) it is stored as it is (clipped). Each shows the same text.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argAt, RET_TEXT, valueAt } from "../../../src/program/recorder/tape.ts";
import type { Tape } from "../../../src/program/recorder/tape.ts";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { repr } from "../../../src/program/recorder/repr.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import { trace } from "../../../mod.ts";
import { setStringIds } from "../../../src/program/recorder/recorder.ts";
import { readRunFile } from "../../_run_file.ts";
import type { CallNodeJSON } from "../../../src/types.ts";

// deno-lint-ignore no-explicit-any
async function load(source: string): Promise<any> {
  const dir = mkdtempSync(join(tmpdir(), "tph-strings-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(source, { filename: file }).code);
    return await import(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The string a stored value `v` (a negative index) stands for. */
function kept(tp: Tape, v: unknown): string {
  assert.equal(typeof v, "number");
  assert.ok((v as number) < 0);
  return tp.strings[-1 - (v as number)];
}

/** The calls of trace `t`'s run as written to a run file, args and return value. */
// deno-lint-ignore no-explicit-any
function written(t: any): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), "tph-strings-run-"));
  try {
    const file = join(dir, "run.tph");
    writeTraceRun(t.state, null, file);
    return readRunFile(file).trace.map((n: CallNodeJSON) => [n.args, n.return_value]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

Deno.test("a kept string is its index in the tape's strings, the same for the same string", async () => {
  const m = await load(`export function echo(a, b) { return a + b; }`);
  const a = trace({ maxRepr: 20 });
  const long = "x".repeat(100);
  m.echo("he", "llo");
  m.echo("he", "llo");
  m.echo('a "quoted"\n', long);
  m.echo("é ü", "\u{1F600}");
  a.stop();
  const tp = a.state.tape, row = a.state.firstRow;
  // Both arguments and the result are indexes (marks bits 1, 2 and RET_TEXT), the same index for
  // the string kept last of its length.
  for (let r = row; r < row + 4; r++) {
    assert.equal(tp.marks[r] & 3, 3);
    assert.equal(tp.marks[r] & RET_TEXT, RET_TEXT);
  }
  assert.equal(valueAt(tp, tp.a0, row), valueAt(tp, tp.a0, row + 1));
  assert.equal(valueAt(tp, tp.result, row), valueAt(tp, tp.result, row + 1));
  assert.equal(kept(tp, valueAt(tp, tp.a0, row)), "he");
  // A long string as the copy its repr shows.
  assert.equal(kept(tp, argAt(tp, row + 2, 1, 2, false)), long.slice(0, 21));
  const q = 'a "quoted"\n';
  const expected = [
    [{ a: '"he"', b: '"llo"' }, '"hello"'],
    [{ a: '"he"', b: '"llo"' }, '"hello"'],
    [{ a: repr(q, 20), b: repr(long, 20) }, repr(q + long, 20)],
    [{ a: repr("é ü", 20), b: repr("\u{1F600}", 20) }, repr("é ü\u{1F600}", 20)],
  ];
  assert.deepEqual(a.roots.map((n) => [n.args, n.return_value]), expected);
  assert.deepEqual(written(a), expected);
  // A later trace (on a new tape: none records on the first) has strings of its own.
  const b = trace({ maxRepr: 20 });
  m.echo("llo", "he");
  b.stop();
  assert.notEqual(b.state.tape, tp);
  const tb = b.state.tape, rb = b.state.firstRow;
  assert.equal(kept(tb, valueAt(tb, tb.a0, rb)), "llo");
  assert.equal(kept(tb, valueAt(tb, tb.result, rb)), "llohe");
});

Deno.test("TPH_STRINGS=raw: a kept string is stored as it is, a long one as the copy its repr shows", async () => {
  const m = await load(`export function echo(a, b) { return a + b; }`);
  setStringIds(false);
  let a;
  try {
    a = trace({ maxRepr: 20 });
    const long = "x".repeat(100);
    m.echo("he", "llo");
    m.echo("he", long);
    a.stop();
    const tp = a.state.tape, row = a.state.firstRow;
    assert.equal(tp.marks[row] & 3, 0);
    assert.equal(tp.marks[row] & RET_TEXT, 0);
    assert.equal(valueAt(tp, tp.a0, row), "he");
    assert.equal(valueAt(tp, tp.result, row), "hello");
    assert.equal(argAt(tp, row + 1, 1, 2, false), long.slice(0, 21));
    const expected = [
      [{ a: '"he"', b: '"llo"' }, '"hello"'],
      [{ a: '"he"', b: repr(long, 20) }, repr("he" + long, 20)],
    ];
    assert.deepEqual(a.roots.map((n) => [n.args, n.return_value]), expected);
    assert.deepEqual(written(a), expected);
  } finally {
    setStringIds(true);
  }
});

Deno.test("a kept string holding a secret is shown redacted by every writer", async () => {
  const m = await load(`export function login(user, note) { return note; }`);
  const t = trace({ redactValues: [/pw=\w+/] });
  for (let i = 0; i < 3; i++) m.login("ann", "pw=hunter2 then");
  t.stop();
  const expected = [0, 1, 2].map(() => [
    { user: '"ann"', note: '"[redacted] then"' },
    '"[redacted] then"',
  ]);
  assert.deepEqual(t.roots.map((n) => [n.args, n.return_value]), expected);
  assert.deepEqual(written(t), expected);
  const tp = t.state.tape, row = t.state.firstRow;
  assert.equal(kept(tp, argAt(tp, row, 1, 2, false)), "pw=hunter2 then");
});

Deno.test("distinct strings are one index each, shown as they are, and so is a string found again", async () => {
  const m = await load(`export function label(s) { return 1; }`);
  const t = trace({ maxCalls: 20000 });
  const n = 10000;
  for (let i = 0; i < n; i++) m.label(`item ${i}`);
  // Found again in its slot, or not (a new index): the same text either way.
  m.label("item 5");
  m.label("item 5");
  t.stop();
  const tp = t.state.tape, row = t.state.firstRow;
  assert.equal(kept(tp, valueAt(tp, tp.a0, row + n - 1)), `item ${n - 1}`);
  assert.equal(valueAt(tp, tp.a0, row + n), valueAt(tp, tp.a0, row + n + 1));
  const args = written(t).map((c) => (c as [Record<string, string>])[0].s);
  assert.deepEqual(args, t.roots.map((r) => r.args.s));
  for (let i = 0; i < n; i += 997) assert.equal(args[i], `"item ${i}"`);
  assert.equal(args[n - 1], `"item ${n - 1}"`);
  assert.deepEqual(args.slice(n), ['"item 5"', '"item 5"']);
});
