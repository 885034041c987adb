// A kept string is stored as it is (clipped), or with TPH_STRINGS=texts as the index of its text on
// its trace's tape (recorder.ts, keepString): its repr, or its repr redacted, made once per
// distinct string; mostly distinct strings go as they are for a stretch. Each shows the same text.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argAt, RET_TEXT, valueAt } from "../../../src/program/recorder/tape.ts";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { repr } from "../../../src/program/recorder/repr.ts";
import { trace } from "../../../mod.ts";
import { setStringTexts } from "../../../src/program/recorder/recorder.ts";

/** Run `body` with kept strings stored as texts (TPH_STRINGS=texts). */
async function asTexts(body: () => Promise<void>): Promise<void> {
  setStringTexts(true);
  try {
    await body();
  } finally {
    setStringTexts(false);
  }
}

Deno.test("a kept string is stored as it is, a long one as the copy its repr shows", async () => {
  const m = await load(`export function echo(a, b) { return a + b; }`);
  const a = trace({ maxRepr: 20 });
  const long = "x".repeat(100);
  m.echo("he", "llo");
  m.echo("he", long);
  a.stop();
  const tp = a.state.tape, row = a.state.firstRow;
  assert.equal(tp.marks[row] & 3, 0);
  assert.equal(tp.marks[row] & RET_TEXT, 0);
  assert.equal(valueAt(tp.a0, row), "he");
  assert.equal(valueAt(tp.result, row), "hello");
  assert.equal(argAt(tp, row + 1, 1, 2, false), long.slice(0, 21));
  assert.deepEqual(a.roots.map((n) => [n.args, n.return_value]), [
    [{ a: '"he"', b: '"llo"' }, '"hello"'],
    [{ a: '"he"', b: repr(long, 20) }, repr("he" + long, 20)],
  ]);
});

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

Deno.test("TPH_STRINGS=texts: a kept string is the index of its text, made once per string", () =>
  asTexts(async () => {
    const m = await load(`export function echo(a, b) { return a + b; }`);
    const a = trace({ maxRepr: 20 });
    const long = "x".repeat(100);
    m.echo("he", "llo");
    m.echo("he", "llo");
    m.echo('a "quoted"\n', long);
    a.stop();
    const tp = a.state.tape, row = a.state.firstRow;
    // Both arguments and the result are texts (marks bits 1, 2 and RET_TEXT), the same index for
    // the same string.
    for (let r = row; r < row + 3; r++) {
      assert.equal(tp.marks[r] & 3, 3);
      assert.equal(tp.marks[r] & RET_TEXT, RET_TEXT);
    }
    assert.equal(valueAt(tp.a0, row), valueAt(tp.a0, row + 1));
    assert.equal(valueAt(tp.result, row), valueAt(tp.result, row + 1));
    assert.equal(tp.texts.get(valueAt(tp.a0, row) as number), '"he"');
    // A long string as what its repr shows (its text made from the copy kept).
    assert.equal(tp.texts.get(argAt(tp, row + 2, 1, 2, false) as number), repr(long, 20));
    const q = 'a "quoted"\n';
    assert.deepEqual(a.roots.map((n) => [n.args, n.return_value]), [
      [{ a: '"he"', b: '"llo"' }, '"hello"'],
      [{ a: '"he"', b: '"llo"' }, '"hello"'],
      [{ a: repr(q, 20), b: repr(long, 20) }, repr(q + long, 20)],
    ]);
    // A later trace (on a new tape: none records on the first) has texts of its own.
    const b = trace({ maxRepr: 20 });
    m.echo("llo", "he");
    b.stop();
    assert.notEqual(b.state.tape, tp);
    const tb = b.state.tape, rb = b.state.firstRow;
    assert.equal(tb.texts.get(valueAt(tb.a0, rb) as number), '"llo"');
    assert.equal(tb.texts.get(valueAt(tb.result, rb) as number), '"llohe"');
  }));

Deno.test("TPH_STRINGS=texts: a kept string holding a secret is its repr redacted", () =>
  asTexts(async () => {
    const m = await load(`export function login(user, note) { return note; }`);
    const t = trace({ redactValues: [/pw=\w+/] });
    m.login("ann", "pw=hunter2 then");
    m.login("ann", "pw=hunter2 then");
    t.stop();
    const shown = t.roots.map((n) => [n.args.note, n.return_value]);
    assert.deepEqual(shown, [
      ['"[redacted] then"', '"[redacted] then"'],
      ['"[redacted] then"', '"[redacted] then"'],
    ]);
    const tp = t.state.tape, row = t.state.firstRow;
    assert.equal(tp.marks[row] & 2, 2);
  }));

Deno.test("TPH_STRINGS=texts: mostly distinct strings go as they are for a stretch", () =>
  asTexts(async () => {
    const m = await load(`export function label(s) { return 1; }`);
    const t = trace({ maxCalls: 20000 });
    const n = 10000;
    for (let i = 0; i < n; i++) m.label(`item ${i}`);
    t.stop();
    const tp = t.state.tape, row = t.state.firstRow;
    // The first ones are texts; once 4096 were made into texts and few found again, the next go
    // as they are.
    assert.equal(tp.marks[row] & 1, 1);
    const last = row + n - 1;
    assert.equal(tp.marks[last] & 1, 0);
    assert.equal(valueAt(tp.a0, last), `item ${n - 1}`);
    const args = t.roots.map((r) => r.args.s);
    for (let i = 0; i < n; i += 997) assert.equal(args[i], `"item ${i}"`);
    assert.equal(args[n - 1], `"item ${n - 1}"`);
  }));
