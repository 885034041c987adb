// Issue 49: the row's bookkeeping in process, two checkouts alternately. Each round runs, in a
// fresh process of the runtime, a synthetic instrumented workload under a trace of its checkout's
// recorder (imported from its src/), every call recorded: calls of 1 to 3 parameters passing
// objects (past the detail budget: kept until each call ends, then summarised), a recursion
// 12 deep, 600,000 calls. It prints the process CPU of the calls alone (no start-up, no write), ns a
// call, medians of the rounds, with the load.
//
//   deno run -A bench/issue49_rows.ts <checkout A> <checkout B> [deno|bun] [--rounds N]

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./_common.ts";

const SOURCE = `
export class Tok { constructor(kind, text) { this.kind = kind; this.text = text; } }
export function leaf(tok) { return tok.text.length; }
export function pair(tok, list) { return leaf(tok) + list.length; }
export function triple(n, tok, list) { return n === 0 ? pair(tok, list) : step(n - 1, tok, list); }
export function step(n, tok, list) { return triple(n, tok, list) + leaf(tok); }
export function run(rounds) {
  let s = 0;
  const tok = new Tok("word", "abc"), list = [1, 2, 3];
  for (let i = 0; i < rounds; i++) s += step(12, tok, list);
  return s;
}
`;

// The child: instrument, trace, run, print the CPU ms of the calls.
if (process.argv[2] === "--child") {
  const dir = process.argv[3], out = process.argv[4];
  const { instrument } = await import(join(dir, "src/program/instrument/instrument.ts"));
  const { runtime } = await import(join(dir, "src/program/recorder/recorder.ts"));
  const file = join(out, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file, module: "m.mjs" }).code);
  const m = await import(file);
  const rt = runtime();
  // A warm-up trace, then the measured one.
  for (const rounds of [2_000, 23_000]) {
    const t = rt.startTrace({ maxCalls: 50_000_000, maxDepth: 100_000 });
    rt.setProcessTrace(t);
    const before = process.cpuUsage();
    m.run(rounds);
    const cpu = process.cpuUsage(before);
    t.active = false;
    rt.setProcessTrace(null);
    rt.detach(t);
    if (rounds > 2_000) {
      console.log(JSON.stringify({ ms: (cpu.user + cpu.system) / 1000, calls: t.count }));
    }
  }
  process.exit(0);
}

const words = process.argv.slice(2);
const at = words.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(words[at + 1]) : 7;
const plain = words.filter((w, i) => !w.startsWith("--") && (at < 0 || i !== at + 1));
const [A, B] = plain;
const rtName = plain.includes("bun") ? "bun" : "deno";
if (A === undefined || B === undefined) {
  console.error("usage: deno run -A bench/issue49_rows.ts <checkout A> <checkout B> [deno|bun]");
  process.exit(2);
}
const self = new URL(import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "tph-bench-rows-"));
const ns: Record<string, number[]> = { [A]: [], [B]: [] };
const loads: string[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const dir of [A, B]) {
      const bin = join(dir, "node_modules/.bin", rtName);
      const argv = rtName === "deno" ? ["run", "-A", self] : [self];
      const res = spawnSync(bin, [...argv, "--child", dir, tmp], {
        encoding: "utf8",
        timeout: 120_000,
        killSignal: "SIGKILL",
      });
      if (res.status !== 0) throw new Error(`${dir}: ${res.stderr.slice(-600)}`);
      const { ms, calls } = JSON.parse(res.stdout.trim().split("\n").pop()!);
      ns[dir].push(ms * 1e6 / calls);
    }
    loads.push(loadavg()[0].toFixed(2));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${rtName}, ${ROUNDS} alternating rounds, medians; load ${loads.join(" ")}`);
for (const dir of [A, B]) {
  const all = ns[dir].map((v) => v.toFixed(0)).join(" ");
  console.log(`${dir}: ${median(ns[dir]).toFixed(1)} ns a call in the program (rounds: ${all})`);
}
