// Per-call overhead of instrumented code, against the same function uninstrumented, in the same
// process: recursive fib(25) (242,785 calls) plain, instrumented with no trace active, and
// instrumented under an active trace (args, returns and timing recorded). Then, for information,
// an async recursive function that awaits its children.
//
// Requirements: traced ≤ 100 ns/call extra on Bun and ≤ 250 on Deno (median of the warm rounds);
// no trace active ≤ 5 ns/call extra.
//
//   deno run -A bench/call_overhead.ts     bun bench/call_overhead.ts

import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../src/program/instrument/instrument.ts";
import { runtime } from "../src/program/recorder/recorder.ts";
import { TraceState } from "../src/program/recorder/trace_state.ts";
import { now, setClockMode, stopFastClock } from "../src/program/recorder/clock.ts";
import { best, median, num, record, RT, RUNTIME, verdict } from "./_common.ts";

const BENCH = "call_overhead";
// The recorder's own cost with its clock thread, as on four cores or more (tph run starts it
// there only: see clock.ts); 3b measures the same without it.
setClockMode("thread");
const N = 25;
const CALLS = 242_785; // calls of fib(25)
const FIB_25 = 75_025;
const AN = 22;
const ACALLS = 57_313; // calls of afib(22)
const ROUNDS = 9; // traced rounds
const PLAIN_ROUNDS = 41; // plain and untraced rounds (~1 ms each: more of them, medians)
const ACTIVE_MAX = RUNTIME === "bun" ? 100 : 250;
const INACTIVE_MAX = 5;

const SOURCE = `export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
export async function afib(n) { return n < 2 ? n : (await afib(n - 1)) + (await afib(n - 2)); }
`;

type Fib = (n: number) => number;
type AFib = (n: number) => Promise<number>;

const rt = runtime();
const dir = mkdtempSync(join(tmpdir(), "tph-bench-overhead-"));
let plain: { fib: Fib; afib: AFib };
let inst: { fib: Fib; afib: AFib };
try {
  const inPath = join(dir, "fib_instrumented.mjs");
  const plainPath = join(dir, "fib_plain.mjs");
  writeFileSync(plainPath, SOURCE);
  writeFileSync(inPath, instrument(SOURCE, { filename: inPath }).code);
  plain = await import(pathToFileURL(plainPath).href);
  inst = await import(pathToFileURL(inPath).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function time(f: () => number, expect: number): number {
  const s = performance.now();
  const r = f();
  const ms = performance.now() - s;
  if (r !== expect) throw new Error(`wrong result ${r}`);
  return ms;
}

function newTrace(): TraceState {
  return runtime().startTrace({ maxCalls: 1_000_000, maxDepth: 100 });
}

function tracedRound(): number {
  const t = newTrace();
  rt.setProcessTrace(t);
  let ms: number;
  try {
    ms = time(() => inst.fib(N), FIB_25);
  } finally {
    t.active = false;
    rt.setProcessTrace(null);
  }
  if (t.count !== CALLS || t.droppedTotal !== 0) {
    throw new Error(`traced ${t.count} calls (${t.droppedTotal} dropped), not ${CALLS}`);
  }
  return ms;
}

/** Wait (≤ 1.5 s) until clock reads are memory loads: the clock thread is up. */
async function waitFastClock(): Promise<number> {
  const s = performance.now();
  while (performance.now() - s < 1500) {
    const a = performance.now();
    let x = 0;
    for (let i = 0; i < 100_000; i++) x += now();
    const perRead = ((performance.now() - a) * 1e6) / 100_000;
    if (perRead < 15 && x > 0) return performance.now() - s;
    await new Promise((r) => setTimeout(r, 20));
  }
  return -1;
}

const perCall = (ms: number, calls = CALLS) => (ms * 1e6) / calls;
let failed = 0;

// 1. Cold: the first traced round of this process (first calls of the instrumented code, the
//    recorder and the clock thread starting after 20,000 calls).
const coldMs = tracedRound();

// 2. Plain and untraced (instrumented, no trace active), interleaved so drift hits both alike.
//    The clock thread is stopped first, as it is once a trace has been over for 2 s: its busy
//    core is no part of the untraced cost.
stopFastClock();
const plainMs: number[] = [];
const offMs: number[] = [];
for (let i = 0; i < PLAIN_ROUNDS; i++) {
  plainMs.push(time(() => plain.fib(N), FIB_25));
  offMs.push(time(() => inst.fib(N), FIB_25));
}

tracedRound(); // warm again: this starts the clock thread
const clockMs = await waitFastClock();

// 3. Traced, each round with a fresh Trace. No forced GC between rounds: a full GC shrinks V8's
//    young generation and makes the next round slower, not steadier.
const onMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) onMs.push(tracedRound());

// 3b. For comparison: the same without the clock thread (TPH_CLOCK=performance), where every
//     timestamp is a performance.now() call but no core is kept busy.
setClockMode("performance");
stopFastClock();
const perfClockMs: number[] = [];
for (let i = 0; i < 5; i++) perfClockMs.push(tracedRound());
setClockMode("thread");

// 3c. Past the limit: a trace that is full (maxCalls 1: the root call) counts every call it
//     leaves out on the call where it was cut, as `tph run` does past its default 10,000.
const fullMs: number[] = [];
for (let i = 0; i < PLAIN_ROUNDS; i++) {
  const t = runtime().startTrace({ maxCalls: 1 });
  rt.setProcessTrace(t);
  try {
    fullMs.push(time(() => inst.fib(N), FIB_25));
  } finally {
    t.active = false;
    rt.setProcessTrace(null);
  }
  if (t.count !== 1 || t.droppedTotal !== CALLS - 1) {
    throw new Error(`full trace: ${t.count} recorded, ${t.droppedTotal} left out`);
  }
}

// 3d. Value tracing (`tph run --find`): one target, traced and past the limit, each round beside
//     one without it so that drift hits both alike. The target is never found (a needle search).
const FIND = [{ text: "123456789", value: 123456789, type: null, match: "equals" as const }];
const findOn: number[] = [],
  findOff: number[] = [],
  findFull: number[] = [],
  noFindFull: number[] = [];
function findRound(find: boolean, maxCalls: number): number {
  const t = runtime().startTrace({ maxCalls, maxDepth: 100, ...(find ? { find: FIND } : {}) });
  rt.setProcessTrace(t);
  try {
    return time(() => inst.fib(N), FIB_25);
  } finally {
    t.active = false;
    rt.setProcessTrace(null);
    rt.detach(t);
  }
}
for (let i = 0; i < 3 * ROUNDS; i++) {
  findOff.push(findRound(false, 1_000_000));
  findOn.push(findRound(true, 1_000_000));
}
for (let i = 0; i < PLAIN_ROUNDS; i++) {
  noFindFull.push(findRound(false, 1));
  findFull.push(findRound(true, 1));
}

const plainMed = median(plainMs);
const plainNs = perCall(plainMed);
console.log(
  `${RT} fib(${N}) plain: ${num(plainMed, 2)} ms = ${num(plainNs, 2)} ns/call ` +
    `(median of ${PLAIN_ROUNDS}; ${CALLS.toLocaleString("en")} calls)`,
);
const offExtra = perCall(median(offMs)) - plainNs;
const offPass = offExtra <= INACTIVE_MAX;
if (!offPass) failed++;
record({
  bench: BENCH,
  metric: "fib no trace active, extra",
  value: offExtra,
  unit: "ns/call",
  req: `≤${INACTIVE_MAX}`,
  pass: offPass,
});
console.log(
  `${RT} fib(${N}) instrumented, no trace active: ${num(offExtra, 2)} ns/call extra ` +
    `(x${num(median(offMs) / plainMed, 2)} plain; median of ${PLAIN_ROUNDS}) ${
      verdict(offPass, `≤${INACTIVE_MAX}`)
    }`,
);
const onExtra = perCall(median(onMs)) - plainNs;
const onBest = perCall(best(onMs)) - perCall(best(plainMs));
const onPass = onExtra <= ACTIVE_MAX;
if (!onPass) failed++;
record({
  bench: BENCH,
  metric: "fib traced, extra (median)",
  value: onExtra,
  unit: "ns/call",
  req: `≤${ACTIVE_MAX}`,
  pass: onPass,
});
console.log(
  `${RT} fib(${N}) traced: ${num(onExtra, 1)} ns/call extra (x${
    num(median(onMs) / plainMed, 0)
  } plain) ${verdict(onPass, `≤${ACTIVE_MAX}`)} median of ${ROUNDS}; best ${
    num(onBest, 1)
  } ns/call extra`,
);
console.log(
  `${RT}   traced rounds (ns/call): ${onMs.map((ms) => num(perCall(ms), 0)).join(" ")}; clock ` +
    `thread ${clockMs < 0 ? "NOT up within 1.5 s" : `up ${num(clockMs, 0)} ms after round 1`}`,
);
const perfExtra = perCall(median(perfClockMs)) - plainNs;
record({
  bench: BENCH,
  metric: "fib traced, TPH_CLOCK=performance",
  value: perfExtra,
  unit: "ns/call",
});
console.log(
  `${RT} fib(${N}) traced with TPH_CLOCK=performance (no clock thread): ${
    num(perfExtra, 1)
  } ns/call extra (median of 5) [info]`,
);
const fullExtra = perCall(median(fullMs)) - plainNs;
record({ bench: BENCH, metric: "fib past max_calls, extra", value: fullExtra, unit: "ns/call" });
console.log(
  `${RT} fib(${N}) past the limit (counted, not recorded): ${num(fullExtra, 1)} ns/call extra ` +
    `(median of ${PLAIN_ROUNDS}) [info]`,
);
const FIND_MAX = 30;
for (
  const [metric, on, off, what] of [
    ["fib traced, one --find target, extra", findOn, findOff, "traced"],
    ["fib past max_calls, one --find target, extra", findFull, noFindFull, "past the limit"],
  ] as const
) {
  // The median of each pair's difference: a pair ran back to back, so drift cancels out.
  const extra = median(on.map((ms, i) => perCall(ms) - perCall(off[i])));
  const pass = extra <= FIND_MAX;
  if (!pass) failed++;
  record({ bench: BENCH, metric, value: extra, unit: "ns/call", req: `≤${FIND_MAX}`, pass });
  console.log(
    `${RT} fib(${N}) ${what} with one --find target: ${num(extra, 1)} ns/call more than ` +
      `without (median of ${on.length} back-to-back pairs) ${verdict(pass, `≤${FIND_MAX}`)}`,
  );
}
const coldExtra = perCall(coldMs) - plainNs;
record({ bench: BENCH, metric: "fib traced, cold first round", value: coldExtra, unit: "ns/call" });
console.log(
  `${RT} fib(${N}) traced, cold (first traced round of a fresh process): ${
    num(coldExtra, 1)
  } ns/call extra (x${num(coldMs / plainMed, 0)} plain; ${num(coldMs, 1)} ms)`,
);

// 4. Async: each call awaits its two children (information only).
async function atime(f: () => Promise<number>): Promise<number> {
  const s = performance.now();
  const r = await f();
  const ms = performance.now() - s;
  if (r !== 17_711) throw new Error(`wrong result ${r}`);
  return ms;
}
async function aTracedRound(): Promise<number> {
  const t = newTrace();
  rt.setProcessTrace(t);
  let ms: number;
  try {
    ms = await atime(() => inst.afib(AN));
  } finally {
    t.active = false;
    rt.setProcessTrace(null);
  }
  const open = openCalls(t);
  if (t.count !== ACALLS || open !== 0) {
    throw new Error(`async: traced ${t.count} calls (${open} open), not ${ACALLS}`);
  }
  return ms;
}
await aTracedRound(); // warm-up
const aPlain: number[] = [];
const aOff: number[] = [];
for (let i = 0; i < 7; i++) {
  aPlain.push(await atime(() => plain.afib(AN)));
  aOff.push(await atime(() => inst.afib(AN)));
}
const aOn: number[] = [];
for (let i = 0; i < 5; i++) aOn.push(await aTracedRound());
const aPlainNs = perCall(median(aPlain), ACALLS);
const aOffExtra = perCall(median(aOff), ACALLS) - aPlainNs;
const aOnExtra = perCall(median(aOn), ACALLS) - aPlainNs;
record({ bench: BENCH, metric: "async traced, extra (median)", value: aOnExtra, unit: "ns/call" });
console.log(
  `${RT} async afib(${AN}) (${ACALLS.toLocaleString("en")} calls, each awaits 2): plain ${
    num(aPlainNs, 0)
  } ns/call; no trace ${num(aOffExtra, 1)} ns/call extra; traced ${num(aOnExtra, 0)} ns/call ` +
    `extra (x${num(median(aOn) / median(aPlain), 1)} plain) [info] median of 5`,
);

process.exitCode = failed > 0 ? 1 : 0;

/** Calls of the trace still open (no end time). */
function openCalls(t: TraceState): number {
  let n = 0;
  for (let row = t.firstRow; row < t.tape.rows; row++) {
    if (t.tape.slot[row] === t.slot && t.tape.end[row] < 0) n++;
  }
  return n;
}
