// Checks, under Deno and Bun alike, that writeTraceJSON() writes byte for byte what
// JSON.stringify() writes for traceToJSON(): every kind of value, escapes, surrogates, long
// texts, limits, unfinished calls and timestamps that need care to print.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { traceToJSON, writeTraceJSON } from "../../../src/program/recorder/to_json.ts";
import { TraceState } from "../../../src/program/recorder/trace_state.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import { openRun } from "../../../src/run_file/decode.ts";
import { FileWriter } from "../../../src/platform/files.ts";
import { drawCalls, LineWriter } from "../../../src/render/draw_calls.ts";
import { countBelow, renderTree, type TreeOptions } from "../../../src/render/tree.ts";
import type { RunJSON } from "../../../src/types.ts";

const SOURCE = `
export function none() { return undefined; }
export function one(x) { return x; }
export function two(a, b) { return [a, b]; }
export function three(a, b, c) { return c; }
export function many(a, b, c, d, ...rest) { return { a, rest }; }
export function shape({ p, q }, [r]) { return p; }
export function replaced() { try { return { first: 1 }; } finally { return 2; } }
export function thrower(m) { throw new TypeError(m); }
export function deep(n) { return n === 0 ? "bottom" : deep(n - 1); }
export function spread(xs) { return Object.assign({}, ...xs); }
export async function hang() { await new Promise(() => {}); }
export async function later(o) { await null; one(o); await null; return one({ again: o }); }
`;

const TEXTS = [
  "plain",
  'quote " backslash \\ slash /',
  "controls \u0000\u0001\b\t\n\u000b\f\r\u001f\u007f",
  "latin é ñ ÿ, greek Ω, cjk 中文, line separator \u2028",
  "emoji 😀, a pair written out \ud83d\ude00",
  "lone high \ud800 here",
  "lone low \udc00 here",
  "high at the end \ud83d",
  "\ufeffa byte order mark first",
  // Each alone: one escaped character in a text has it escaped whole.
  "C1 \u0080 first",
  "C1 \u009f last",
  "bidi \u202a first",
  "bidi \u202e last",
  "isolate \u2066 first",
  "isolate \u2069 last",
  "DEL \u007f",
  "escape \u001b[2J",
  "next to them, printed as they are: \u00a0 \u00a1 \u2027 \u202f \u2065 \u206a \u0100",
  "tab\there",
  "crlf\r\nthere",
  "a lone cr\r",
];

/** Ways `tph tree` draws a run: the streaming drawer must draw each as renderTree does. */
const TREE_OPTIONS: TreeOptions[] = [
  {},
  { color: true, style: "ascii" },
  { showArgs: false, showReturn: false },
  { timeUnit: "ms" },
  { timeUnit: "us", color: true },
  { timeUnit: "s" },
  { maxDepth: 1 },
  { maxDepth: 2, color: true },
  { filter: "deep" },
  { filter: "deep", maxDepth: 3 },
  { filter: "o" },
  { filter: "o", maxDepth: 1 },
  { filter: "thr", color: true },
  { filter: "no such name" },
];

const VALUES = [
  0,
  -0,
  7,
  -42,
  2147483647,
  -2147483648,
  2147483648,
  -1.5,
  1e21,
  NaN,
  Infinity,
  12n,
  true,
  null,
  undefined,
  Symbol('s"y'),
  function named() {},
];

/** Write `t` with writeTraceJSON and compare it with JSON.stringify of traceToJSON. */
function same(t: TraceState, dir: string, name: string): void {
  const out = join(dir, name);
  writeTraceJSON(t, 'label "q"', out, { extra: ["x"] });
  const { trace, ...head } = traceToJSON(t, 'label "q"');
  const want = JSON.stringify({ ...head, extra: ["x"], trace }) + "\n";
  const got = readFileSync(out, "utf8");
  // The run format, exported back to JSON, is the same document too.
  writeTraceRun(t, 'label "q"', out + ".tph", { extra: ["x"] });
  const run = openRun(out + ".tph");
  const exported = new FileWriter(out + ".exported.json");
  try {
    run.writeJSON(exported);
  } finally {
    exported.close();
    run.close();
  }
  differ(readFileSync(out + ".exported.json", "utf8"), want, `${name} (run format, exported)`);
  differ(got, want, name);
  sameTree(out + ".tph", JSON.parse(want), name);
}

/**
 * The run file drawn from its records is what renderTree draws from its JSON tree, with every
 * option: the run file's records and the tree's say the same.
 */
function sameTree(path: string, json: RunJSON, name: string): void {
  const run = openRun(path);
  try {
    for (const options of TREE_OPTIONS) {
      const all = { ...options, limitReason: json.limit_reason };
      const want = renderTree(json.trace, {
        ...all,
        // As `tph tree` gives it for a JSON run.
        rootDropped: (json.dropped_calls ?? 0) - countBelow(json.trace).dropped,
      });
      const chunks: Uint8Array[] = [];
      const lines = new LineWriter((b, n) => {
        chunks.push(b.slice(0, n));
        return true;
      });
      const drawn = drawCalls(run, { ...all, rootDropped: run.droppedAtRoot }, lines);
      const got = chunks.map((c) => new TextDecoder().decode(c)).join("");
      differ(got, want === "" ? "" : want + "\n", `${name}: tree ${JSON.stringify(options)}`);
      assert.equal(drawn, want !== "", `${name}: tree ${JSON.stringify(options)} drew calls`);
    }
  } finally {
    run.close();
  }
}

/** Fail with the first difference of two documents, if they differ. */
function differ(got: string, want: string, name: string): void {
  if (got === want) return;
  // Only the first difference: the documents are megabytes long.
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  const at = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  assert.fail(
    `${name}: first difference at ${i} of ${want.length}\n got ${at(got)}\nwant ${at(want)}`,
  );
}

/** Run the checks; throws on the first difference. */
export async function checkWriter(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tph-json-check-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: file, module: "m.mjs" }).code);
    // deno-lint-ignore no-explicit-any
    const m: any = await import(pathToFileURL(file).href);
    const rt = runtime();

    const t = runtime().startTrace({ maxDepth: 4, maxCalls: 200 });
    rt.setProcessTrace(t);
    for (const s of TEXTS) {
      m.one(s);
      m.one({ [s]: s, list: [s] });
      m.two(s, { s });
    }
    // Strings the writer finds in the slot of their length (run_writer.ts, writeString): met
    // again in a row, others of their length between, "" and one 256 long in the same slot, the
    // same text as another string.
    const long = "y".repeat(256), abc = ["a", "b", "c"].join("");
    for (const s of ["abc", "abd", "abc", abc, "abc", "", "", long, "", long, long, "abd"]) {
      m.one(s);
    }
    for (const v of VALUES) m.three(v, { v }, v);
    m.none();
    m.many(1, { b: 2 }, "c", [4], 5, { six: 6 });
    m.shape({ p: { deep: 1 }, q: 2 }, ["r"]);
    m.replaced();
    for (const message of ['bad "input"\n\ud800', "raw escape \u001b[31m red", "raw \u001f"]) {
      try {
        m.thrower(message);
      } catch { /* recorded */ }
    }
    m.deep(10);
    // Objects past the 31 arguments whose texts a row marks.
    m.spread(Array.from({ length: 40 }, (_, i) => ({ [`k${i}`]: i })));
    m.hang();
    for (let i = 0; i < 400; i++) m.one(i);
    t.active = false;
    rt.setProcessTrace(null);
    assert.ok(t.droppedTotal > 0);
    // Timestamps that need care: negative, rounding halves, trailing zeros, huge values.
    const tp = t.tape;
    const starts = [-0.0004, -1.2345, 0.0005, 0.0015, 2.1, 10, 1e13 + 0.25, 2 ** 31 + 0.5, 1e-9];
    const spans = [0.0004, 1e-7, 5e12, 0.0105, 3.14159, 0.5, 2 ** 32, 123456.7895, 0];
    let k = 0;
    for (let row = t.firstRow; row < tp.rows && k < starts.length; row++) {
      if (tp.end[row] < 0) continue;
      tp.start[row] = t.startTime + starts[k];
      tp.end[row] = tp.start[row] + spans[k];
      k++;
    }
    same(t, dir, "values.json");

    // Many object texts (several packed chunks and a partly filled one), and texts longer than
    // the writer's buffer.
    const big = runtime().startTrace({ maxCalls: 5000, maxRepr: 3_000_000 });
    rt.setProcessTrace(big);
    for (let i = 0; i < 2500; i++) m.one({ i, s: TEXTS[i % TEXTS.length] });
    m.one({ long: "é😀\\".repeat(400_000) });
    m.one("\ud800x".repeat(600_000));
    m.one({ after: true });
    big.active = false;
    rt.setProcessTrace(null);
    same(big, dir, "long.json");

    // Calls whose texts are written far from the order they were taken in (async calls that
    // interleave: each root's calls lie thousands of rows apart, in many packed chunks), some
    // chunks all ASCII and some not.
    const apart = runtime().startTrace({ maxCalls: 100_000 });
    rt.setProcessTrace(apart);
    const waits: Promise<unknown>[] = [];
    for (let i = 0; i < 6000; i++) waits.push(m.later({ i, s: i % 5000 < 2500 ? "ascii" : "é" }));
    await Promise.all(waits);
    apart.active = false;
    rt.setProcessTrace(null);
    same(apart, dir, "apart.json");

    // Texts cut short (kept without their "…", written with it): chunks all ASCII but for the
    // cuts, chunks with other text too, and a cut right after a surrogate pair.
    const cutTexts = runtime().startTrace({ maxCalls: 20_000, maxRepr: 30 });
    rt.setProcessTrace(cutTexts);
    for (let i = 0; i < 3000; i++) m.one({ i, long: "a".repeat(i % 50), n: [i, i] });
    for (let i = 0; i < 1500; i++) m.one({ i, s: "é".repeat(i % 40) });
    for (let i = 0; i < 40; i++) m.one({ pair: "x".repeat(i % 20) + "😀".repeat(10) });
    m.one({ lone: "y".repeat(15) + "\ud800".repeat(10) });
    cutTexts.active = false;
    rt.setProcessTrace(null);
    same(cutTexts, dir, "cut_texts.json");

    // A max_repr too short for some numbers.
    const short = runtime().startTrace({ maxRepr: 5 });
    rt.setProcessTrace(short);
    for (const v of [12345, 123456, -1234, -12345, 1.25, { a: 1 }, "abcdefgh"]) m.one(v);
    short.active = false;
    rt.setProcessTrace(null);
    same(short, dir, "short.json");

    // Strings the writer copies without repr(): around the cut at each max_repr, with escapes,
    // surrogates and non-ASCII text on either side of it, and one longer than the buffer.
    for (const maxRepr of [1, 2, 3, 4, 5, 8, 20, 21, 22, 23]) {
      const cut = runtime().startTrace({ maxRepr, maxCalls: 2000 });
      rt.setProcessTrace(cut);
      for (let len = 0; len <= maxRepr + 2; len++) {
        for (const c of ["a", "é", "中", '"', "\\", "\n", "😀", "\ud800"]) {
          for (const at of [0, len - 3, len - 2, len - 1]) {
            if (at < 0 || at >= len) continue;
            const s = "x".repeat(at) + c + "y".repeat(Math.max(0, len - at - 1));
            m.one(s);
          }
        }
        m.one("z".repeat(len));
      }
      cut.active = false;
      rt.setProcessTrace(null);
      same(cut, dir, `cut${maxRepr}.json`);
    }
    const huge = runtime().startTrace({ maxRepr: 3_000_000 });
    rt.setProcessTrace(huge);
    m.one("a".repeat(1_500_000));
    m.one("é".repeat(1_200_000));
    m.two("中".repeat(500_000), "b".repeat(2_999_999));
    huge.active = false;
    rt.setProcessTrace(null);
    same(huge, dir, "huge.json");

    // Deeper than the tree's indentation goes.
    const deep = runtime().startTrace({});
    rt.setProcessTrace(deep);
    m.deep(90);
    m.one("after");
    deep.active = false;
    rt.setProcessTrace(null);
    same(deep, dir, "deep.json");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
