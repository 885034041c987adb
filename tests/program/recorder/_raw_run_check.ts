// Checks, under Deno and Bun alike, that a run written raw at the program's end (raw_run.ts) and
// made into a run file when first read is, byte for byte, the run file written directly from the
// same trace: every kind of value (texts ASCII and not, cut, lone surrogates, numbers whole, -0,
// NaN, bigints, functions, objects in and past the detail budget, argument lists of external
// calls and of many parameters), calls that threw, did not end, awaited, calls left out, strings
// with secrets (known ones, a redact_values regex), in a trace written with and without limits.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import {
  convertRawRun,
  RAW_FORMAT,
  rawWritable,
  writeRawRun,
} from "../../../src/program/recorder/raw_run.ts";
import type { TraceLimits } from "../../../src/run_file/limits.ts";
import { openRun } from "../../../src/run_file/decode.ts";
import { FIXTURE_RUN_META } from "../../_run_file.ts";

const SOURCE = `
export function one(x) { return x; }
export function two(a, b) { return [a, b]; }
export function three(a, b, c) { return c; }
export function many(a, b, c, d, ...rest) { return { a, rest }; }
export function thrower(m) { throw new TypeError(m); }
export function deep(n) { return n === 0 ? "bottom" : deep(n - 1); }
export function callsOut(xs) { return xs.map((x) => x * 2).filter(Boolean); }
export function getToken(user) { return "tok-" + user; }
export function login(user, password) { return user.length; }
export async function hang() { await new Promise(() => {}); }
export async function later(o) { await null; one(o); await null; return one({ again: o }); }
export function* gen(n) { for (let i = 0; i < n; i++) yield one(i); }
export class Box { constructor(v) { this.v = v; } get() { return this.v; } }
`;

const TEXTS = [
  "plain",
  "é ñ 中文 😀",
  "lone \ud800 here",
  "high at the end \ud83d",
  'quote " \\ \n',
  "a".repeat(300),
  "Bearer abcdefghijklmnopqrstuvwxyz0123456789",
  "key AKIAABCDEFGHIJKLMNOP in a sentence",
  "custom-secret-12345 here",
];

async function traceAll(limits: TraceLimits, dir: string, name: string) {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, instrument(SOURCE, { filename: `/fixture/${name}.mjs`, module: name }).code);
  // deno-lint-ignore no-explicit-any
  const m: any = await import(pathToFileURL(file).href);
  const rt = runtime();
  const t = rt.startTrace(limits);
  rt.setProcessTrace(t);
  for (const s of TEXTS) {
    m.one(s);
    m.two(s, { s, list: [s, 1] });
    m.three(s, s.length, [s]);
    m.one("the same long text, again and again");
  }
  // Kept strings one after another where a hint (`://…:…@`) runs from the first into the second,
  // whose own secret the scan of them all must still find (Redaction.mayHit).
  m.one("a link at x://host");
  m.one("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl:x@y");
  for (let i = 0; i < 60; i++) {
    m.one({ i, nested: { deep: [i, String(i)] } });
    m.one(new m.Box(i));
    m.one(/re+gex/gi);
    m.many(i, "b", { c: i }, [i], 5, 6, 7);
  }
  for (
    const v of [
      0,
      -0,
      7,
      -42,
      2 ** 31,
      -1.5,
      NaN,
      Infinity,
      12n,
      true,
      false,
      null,
      undefined,
      // About the edges of the tape's codes (tape.ts, codeOf).
      2 ** 30 - 2,
      2 ** 30 - 1,
      2 ** 30,
      -(2 ** 30),
      -(2 ** 30) - 1,
      -(2 ** 30) - 3,
      2 ** 31 - 1,
      -(2 ** 31),
    ]
  ) {
    m.one(v);
  }
  m.one(Symbol("s"));
  m.one(function named() {});
  m.one(() => 1);
  for (const message of ['bad "input"', "\ud800 lone", "plain"]) {
    try {
      m.thrower(message);
    } catch { /* recorded */ }
  }
  m.deep(120);
  m.callsOut([1, 0, 3]);
  m.getToken("alice");
  m.login("alice", "hunter2");
  [...m.gen(3)];
  new m.Box(1).get();
  m.hang();
  await Promise.all([m.later({ i: 1 }), m.later({ s: "é" })]);
  for (let i = 0; i < 3000; i++) m.one(i % 3 === 0 ? { i } : i % 3 === 1 ? `s${i % 50}` : i);
  t.active = false;
  rt.setProcessTrace(null);
  return t;
}

const CASES: [string, TraceLimits][] = [
  ["every call", { maxDepth: 100000, maxCalls: 50000000 }],
  ["limits", { maxDepth: 40, maxCalls: 1500, maxRepr: 40, details: 5 }],
  ["redact values", { redactValues: ["custom-secret-\\d+"], maxRepr: 60 }],
  ["details all", { details: "all" }],
  // No redaction: the raw run's functions are found in its rows (raw_run.ts, functionsOf).
  ["no redaction", { redact: false }],
];

export async function checkRawRuns(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tph-raw-run-"));
  try {
    for (const [name, limits] of CASES) {
      const t = await traceAll(limits, dir, name.replace(/ /g, "_"));
      assert.ok(rawWritable(t, null), name);
      const extra = () => ({ run: FIXTURE_RUN_META });
      const raw = join(dir, `${name}.raw`);
      writeRawRun(t, "label", raw, extra);
      const direct = join(dir, `${name}.tph`);
      writeTraceRun(t, "label", direct, extra);
      const bytes = readFileSync(raw);
      assert.equal(bytes[7], RAW_FORMAT, name);
      const made = join(dir, `${name}.made.tph`);
      convertRawRun(new Uint8Array(bytes), made, (why) => new Error(why));
      const got = readFileSync(made), want = readFileSync(direct);
      let i = 0;
      while (i < got.length && got[i] === want[i]) i++;
      assert.ok(
        i === got.length && got.length === want.length,
        `${name}: first difference at byte ${i} of ${want.length} (${got.length} made)`,
      );
      // And it reads as a run: its calls are there.
      const run = openRun(made);
      try {
        assert.ok(run.meta.call_count > 100, name);
      } finally {
        run.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await checkRawRuns();
