// Issue 49: the recorder's path for objects past the detail budget, alone, in-process: a traced
// function called CALLS times with marked's mix of arguments (plain objects, plain arrays of a
// few lengths, objects of two classes, a RegExp now and then) from a traced loop, every call
// recorded, its objects kept until it returns and then summarised (details.ts, briefIndex).
// Prints CPU ns a call (process.cpuUsage, min of the rounds) of the traced calls (the untraced
// loop is optimised away: ~0), and briefIndex alone, ns a summary.
//
//   deno run -A bench/issue49_summaries.ts [checkout (default: this one)] [--rounds N]
//
// To compare two checkouts, alternate them in the same minutes:
//   for i in 1 2 3; do for c in /work/wt/ref .; do deno run -A bench/issue49_summaries.ts $c; done; done

import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const words = process.argv.slice(2);
const at = words.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(words[at + 1]) : 5;
const checkout = resolve(
  words.find((w, i) => !w.startsWith("--") && (at < 0 || i !== at + 1)) ??
    new URL("..", import.meta.url).pathname,
);
const CALLS = 300_000;

const SOURCE = `
export class Token { constructor(kind) { this.kind = kind; } }
export class Lexer { constructor() { this.tokens = []; } }
export function use(a, b) { return b; }
export function loop(values, n) {
  let x;
  for (let i = 0; i < n; i++) x = use(values[i & 63], values[(i + 7) & 63]);
  return x;
}
`;

const from = (p: string) => import(pathToFileURL(join(checkout, p)).href);
const { instrument } = await from("src/program/instrument/instrument.ts");
const { runtime } = await from("src/program/recorder/recorder.ts");
const { briefIndex } = await from("src/program/recorder/details.ts");

const dir = mkdtempSync(join(tmpdir(), "tph-bench-summaries-"));
try {
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file, module: "m.mjs" }).code);
  writeFileSync(join(dir, "p.mjs"), SOURCE);
  const m = await import(pathToFileURL(file).href);
  const p = await import(pathToFileURL(join(dir, "p.mjs")).href);
  const lexer = new m.Lexer();
  const values: unknown[] = [];
  for (let i = 0; i < 64; i++) {
    const k = i % 8;
    values.push(
      k < 3
        ? { type: "text", raw: "x" + i }
        : k < 6
        ? new Array(i % 5).fill(i)
        : k === 6
        ? (i % 16 === 6 ? /a+b/g : new m.Token("t"))
        : lexer,
    );
  }
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const traced: number[] = [], untraced: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = cpu();
    p.loop(values, CALLS);
    untraced.push(cpu() - t0);
    const rt = runtime();
    const t = rt.startTrace({ maxCalls: CALLS + 10, details: 20 });
    rt.setProcessTrace(t);
    t0 = cpu();
    try {
      m.loop(values, CALLS);
    } finally {
      traced.push(cpu() - t0);
      t.active = false;
      rt.setProcessTrace(null);
      rt.detach(t);
    }
  }
  // The summaries alone: briefIndex on the same mix, in a trace of its own (marked's order: an
  // object often summarised twice in a row, as a call's return and its caller's argument).
  const brief: number[] = [];
  const SUMMARIES = 2_000_000;
  for (let r = 0; r < ROUNDS; r++) {
    const rt = runtime();
    const t = rt.startTrace({ maxCalls: 10 });
    let x = 0;
    const t0 = cpu();
    for (let i = 0; i < SUMMARIES; i++) x += briefIndex(t.tape, t, values[(i >> 1) & 63] as object);
    brief.push(cpu() - t0);
    if (x < 0) console.log(x);
    rt.detach(t);
  }
  const min = (xs: number[]) => Math.min(...xs) / CALLS * 1e6;
  console.log(`summaries alone: ${(Math.min(...brief) / SUMMARIES * 1e6).toFixed(1)} ns each`);
  console.log(
    `${checkout}: traced ${min(traced).toFixed(0)} ns a call CPU, untraced ${
      min(untraced).toFixed(0)
    } (min of ${ROUNDS} rounds of ${CALLS} calls)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
