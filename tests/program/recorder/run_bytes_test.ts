// The run file's bytes do not change when its encoder does: a trace of every kind of call and value
// (texts ASCII and not, cut, repeated, with lone surrogates; whole numbers; calls that threw, did
// not end, awaited, external; calls left out under a call and under its descendants; a subtree big
// enough for the skip index), its times and meta made fixed, is written and compared byte for byte
// with tests/fixtures/run_file/encoded.tph (format 4: its functions' texts). The same trace in
// format 3 (encoded_v3.tph, no functions' texts) and format 2 (encoded_v2.tph, which the encoder
// before the values table wrote) is still read, as the same calls and values. TPH_WRITE_FIXTURE=1 writes the fixture instead (only when the format
// itself changes).

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import type { TraceState } from "../../../src/program/recorder/trace_state.ts";
import { openRun } from "../../../src/run_file/decode.ts";
import { SKIP_MIN, TRAILER_BYTES, TRAILER_MAGIC } from "../../../src/run_file/format.ts";
import { FIXTURE_RUN_META } from "../../_run_file.ts";

const FIXTURE = resolve(import.meta.dirname!, "../../fixtures/run_file/encoded.tph");
const FIXTURE_V2 = resolve(import.meta.dirname!, "../../fixtures/run_file/encoded_v2.tph");
const FIXTURE_V3 = resolve(import.meta.dirname!, "../../fixtures/run_file/encoded_v3.tph");

const SOURCE = `
export function one(x) { return x; }
export function two(a, b) { return [a, b]; }
export function thrower(m) { throw new TypeError(m); }
export function deep(n) { return n === 0 ? "bottom" : deep(n - 1); }
export function spread(xs) { return Object.assign({}, ...xs); }
export function parse(s) { return JSON.parse(s); }
export async function hang() { await new Promise(() => {}); }
export async function later(o) { await null; one(o); await null; return one({ again: o }); }
`;

/** Every call's start and end, and its time awaiting, set to fixed offsets from the trace's start. */
function fixTimes(t: TraceState): void {
  const tp = t.tape;
  for (let row = t.firstRow, k = 1; row < tp.rows; row++, k++) {
    // Whole µs, far from a rounding half whatever the trace's start is.
    tp.start[row] = t.startTime + k * 0.037;
    if (tp.end[row] >= 0) tp.end[row] = tp.start[row] + (k % 7) * 0.011;
    if (tp.awaited[row] > 0) tp.awaited[row] = 0.003;
  }
}

Deno.test("the run file of a fixed trace is, byte for byte, the one tph wrote before", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-run-bytes-"));
  try {
    const file = join(dir, "m.mjs");
    // Named as a fixed path: the functions table holds it.
    writeFileSync(file, instrument(SOURCE, { filename: "/fixture/m.mjs", module: "m.mjs" }).code);
    // deno-lint-ignore no-explicit-any
    const m: any = await import(pathToFileURL(file).href);
    const rt = runtime();
    const t = rt.startTrace({ maxDepth: 290, maxCalls: 1200, maxRepr: 40 });
    rt.setProcessTrace(t);
    const texts = ["plain", "é ñ 中文 😀", "lone \ud800 here", 'quote " \\ \n', "a".repeat(60)];
    for (const s of texts) {
      m.one(s);
      m.two(s, { s, list: [s, 1] });
      // Long texts written again: copied once written.
      m.one("the same long text, again and again");
    }
    for (const v of [0, -0, 7, -42, 2 ** 31, -1.5, NaN, 12n, true, false, null, undefined]) {
      m.one(v);
    }
    for (const message of ['bad "input"', "\ud800 lone", "plain"]) {
      try {
        m.thrower(message);
      } catch { /* recorded */ }
    }
    // Deeper than maxDepth: calls left out under the deepest, and under its callers; a subtree of
    // more than 256 calls.
    m.deep(300);
    m.spread(Array.from({ length: 40 }, (_, i) => ({ [`k${i}`]: i })));
    m.parse('{"a":[1,2]}');
    m.hang();
    await Promise.all([m.later({ i: 1 }), m.later({ s: "é" })]);
    // Past maxCalls: left out at the top.
    for (let i = 0; i < 1000; i++) m.one(i % 3 === 0 ? { i } : i);
    t.active = false;
    rt.setProcessTrace(null);
    assert.ok(t.droppedTotal > 0);
    fixTimes(t);
    const out = join(dir, "run.tph");
    writeTraceRun(t, "fixture", out, {
      // The meta's fields that change from run to run, fixed (in their places).
      timestamp: "2026-01-01T00:00:00.000Z",
      tracepatch_version: "0.0.0-fixture",
      run: { exit_code: 0 },
    });
    const got = readFileSync(out);
    if (Deno.env.get("TPH_WRITE_FIXTURE") === "1") writeFileSync(FIXTURE, got);
    const want = readFileSync(FIXTURE);
    let i = 0;
    while (i < got.length && got[i] === want[i]) i++;
    assert.ok(
      i === got.length && got.length === want.length,
      `first difference at byte ${i} of ${want.length} (${got.length} written)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The varints from `at` in `bytes`, `n` of them. */
function varints(bytes: Uint8Array, at: number, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let v = 0, scale = 1;
    for (;;) {
      const b = bytes[at++];
      v += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    out.push(v);
  }
  return out;
}

Deno.test("a trace in pre-order: its skip index points past each large subtree, innermost first", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-run-skips-"));
  try {
    const file = join(dir, "tree.mjs");
    const source = `
export function tree(n) { return n === 0 ? 0 : tree(n - 1) + tree(n - 1) + 1; }
export function deep(n) { return n === 0 ? 0 : deep(n - 1); }
`;
    writeFileSync(
      file,
      instrument(source, { filename: "/fixture/tree.mjs", module: "tree.mjs" }).code,
    );
    // deno-lint-ignore no-explicit-any
    const m: any = await import(pathToFileURL(file).href);
    const rt = runtime();
    const t = rt.startTrace({ maxDepth: 1000, maxCalls: 100_000, maxRepr: 40 });
    rt.setProcessTrace(t);
    // Nested large subtrees, some ending at the same call (a last child's with its parent's), and
    // roots after them; no call awaits: the calls are in pre-order.
    m.tree(9);
    m.deep(300);
    m.tree(8);
    m.tree(2);
    t.active = false;
    rt.setProcessTrace(null);
    const out = join(dir, "run.tph");
    writeTraceRun(t, null, out);
    const bytes = new Uint8Array(readFileSync(out));
    const trailer = bytes.length - TRAILER_MAGIC.length - 24;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const skipAt = view.getFloat64(trailer, true);
    const [records, count] = varints(bytes, skipAt, 2);
    const got = varints(bytes, skipAt, 2 + 2 * count).slice(2);
    // Where each record starts, read back, and where each large subtree ends: the next record
    // after it, or the calls' end.
    const at: number[] = [], below: number[] = [], depths: number[] = [];
    const run = openRun(out);
    try {
      run.scan((r, depth) => {
        at.push(r.position);
        below.push(r.descendants);
        depths.push(depth);
        return true;
      });
    } finally {
      run.close();
    }
    assert.equal(at.length, records);
    const large: { ordinal: number; end: number; depth: number }[] = [];
    for (let k = 0; k < records; k++) {
      if (below[k] >= SKIP_MIN) large.push({ ordinal: k, end: k + below[k] + 1, depth: depths[k] });
    }
    large.sort((a, b) => a.end - b.end || b.depth - a.depth);
    const want = large.flatMap((x) => [x.ordinal, x.end < records ? at[x.end] : skipAt]);
    assert.ok(large.length >= 5, `${large.length} large subtrees`);
    assert.deepEqual(got, want);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A run file's bytes with its meta given `run.command` (the fixtures' meta has none, which a
 * reader requires): the meta and the trailer written again, as addMeta does.
 */
function withCommand(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaAt = view.getFloat64(bytes.length - TRAILER_BYTES + 16, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(metaAt, -TRAILER_BYTES)));
  meta.run = FIXTURE_RUN_META;
  const head = bytes.subarray(0, metaAt), m = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(head.length + m.length + TRAILER_BYTES);
  out.set(head);
  out.set(m, head.length);
  out.set(bytes.subarray(bytes.length - TRAILER_BYTES), head.length + m.length);
  return out;
}

Deno.test("run files of formats 2 and 3 (no values table; no texts) read as the same calls and values", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-run-v2-"));
  try {
    const exported = (fixture: string, name: string) => {
      const path = join(dir, name);
      writeFileSync(path, withCommand(new Uint8Array(readFileSync(fixture))));
      const run = openRun(path);
      const parts: number[] = [];
      let calls = 0;
      try {
        run.writeJSON({
          write: (b: Uint8Array, n: number) => {
            for (let k = 0; k < n; k++) parts.push(b[k]);
          },
        });
        run.scan(() => (calls++, true));
        // One call read alone, through its position (nodeAt): its values too.
        let last = 0, start = 0;
        run.scan((r) => ((last = r.position), (start = r.start), true));
        return {
          json: new TextDecoder().decode(new Uint8Array(parts)),
          calls,
          one: run.nodeAt(last, start),
        };
      } finally {
        run.close();
      }
    };
    const v2 = exported(FIXTURE_V2, "v2.tph"), v3 = exported(FIXTURE_V3, "v3.tph");
    const v4 = exported(FIXTURE, "v4.tph");
    assert.equal(new Uint8Array(readFileSync(FIXTURE_V2))[7], 2);
    assert.equal(new Uint8Array(readFileSync(FIXTURE_V3))[7], 3);
    assert.equal(new Uint8Array(readFileSync(FIXTURE))[7], 4);
    assert.ok(v2.calls > 300, `${v2.calls} calls`);
    assert.equal(v3.calls, v2.calls);
    assert.equal(v4.calls, v2.calls);
    assert.deepEqual(v3.one, v2.one);
    assert.deepEqual(v4.one, v2.one);
    assert.ok(v2.json.includes("\\ud800"), "a lone surrogate's text, escaped");
    assert.equal(v3.json, v2.json);
    assert.equal(v4.json, v2.json);
    // Format 4 keeps the functions' texts (the lines after the first, their hash); 3 has none.
    const functions = (path: string) => {
      const run = openRun(path);
      try {
        return run.functions;
      } finally {
        run.close();
      }
    };
    assert.ok(functions(join(dir, "v4.tph")).some((f) => f.length === 9 && f[8] > 0));
    assert.ok(functions(join(dir, "v3.tph")).every((f) => f.length === 7));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
