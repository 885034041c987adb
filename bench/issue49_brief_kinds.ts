// Issue 49, lever 1: what tph's summary of an object past the detail budget (details.ts,
// briefIndex) costs by the object's kind, in one process, the kinds interleaved in many short
// rounds (min of the rounds: on these shared two-core VMs the machine's speed moves ±2× between
// seconds, so separate processes cannot be compared at this grain). Kinds as marked summarises
// them (358,242 summaries on its 767k calls, counted in a run: 188,009 plain arrays, 82,712
// objects of the class summarised just before, 21,432 of another class seen before, 39,705
// RegExps, 26,383 objects without a prototype; a third of all are the very object summarised
// last). Prints ns a summary per kind, and `isProxy` alone (summaryHint asks it of each object
// but the one summarised last). Then the whole path in a traced program: a traced function of two
// parameters called from a traced loop past its detail budget, passed (and returning) marked's mix
// of objects against the same calls passed small integers, interleaved: the difference is what
// keeping the objects until the call ends, settling and summarising them costs, ns a call (two
// objects kept, one returned).
//
//   deno run -A bench/issue49_brief_kinds.ts [checkout (default: this one)] [--rounds N]
//   bun bench/issue49_brief_kinds.ts …; node24 bench/issue49_brief_kinds.ts …

import process from "node:process";
import { types } from "node:util";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const words = process.argv.slice(2);
const at = words.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(words[at + 1]) : 40;
const checkout = resolve(
  words.find((w, i) => !w.startsWith("--") && (at < 0 || i !== at + 1)) ??
    new URL("..", import.meta.url).pathname,
);
const N = 200_000;

const from = (p: string) => import(pathToFileURL(join(checkout, p)).href);
const { runtime } = await from("src/program/recorder/recorder.ts");
const { briefIndex } = await from("src/program/recorder/details.ts");
const { instrument } = await from("src/program/instrument/instrument.ts");

class Token {
  kind: string;
  constructor(kind: string) {
    this.kind = kind;
  }
}
class Lexer {
  tokens: unknown[] = [];
}
const pool = (make: (i: number) => object) => Array.from({ length: 64 }, (_, i) => make(i));
// Each kind: 64 distinct objects, summarised in turn (none is the one summarised last), and the
// same object twice in a row ("again": the second is the one summarised last).
const KINDS: Record<string, object[]> = {
  "plain array": pool((i) => new Array(i % 5).fill(i)),
  "plain object": pool((i) => ({ type: "text", raw: "x" + i })),
  "class (one)": pool((i) => new Token("t" + i)),
  "classes (two)": pool((i) => (i & 1 ? new Token("t") : new Lexer())),
  "null prototype": pool((i) => Object.assign(Object.create(null), { i })),
  "RegExp (4 sources)": pool((i) => new RegExp("a+b" + (i & 3), "g")),
};

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const best: Record<string, number> = {};
let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const [kind, values] of Object.entries(KINDS)) {
    for (const again of [false, true]) {
      const rt = runtime();
      const t = rt.startTrace({ maxCalls: 10 });
      const t0 = cpu();
      for (let i = 0; i < N; i++) {
        sink += briefIndex(t.tape, t, values[(again ? i >> 1 : i) & 63]);
      }
      const ns = (cpu() - t0) / N * 1e6;
      rt.detach(t);
      const k = kind + (again ? ", again" : "");
      if (r > 0) best[k] = Math.min(best[k] ?? Infinity, ns); // round 0 warms up
    }
  }
  const values = KINDS["plain object"];
  const t0 = cpu();
  for (let i = 0; i < N; i++) if (types.isProxy(values[i & 63])) sink++;
  const ns = (cpu() - t0) / N * 1e6;
  if (r > 0) best["isProxy alone"] = Math.min(best["isProxy alone"] ?? Infinity, ns);
}

// The whole path: objects against integers through the same traced calls.
const SOURCE = `
export function use(a, b) { return b; }
export function loop(values, n) {
  let x;
  for (let i = 0; i < n; i++) x = use(values[i & 63], values[(i + 7) & 63]);
  return x;
}
`;
const dir = mkdtempSync(join(tmpdir(), "tph-bench-brief-kinds-"));
try {
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file, module: "m.mjs" }).code);
  const m = await import(pathToFileURL(file).href);
  const lexer = new Lexer();
  const mix: unknown[] = [];
  for (let i = 0; i < 64; i++) {
    const k = i % 8;
    mix.push(
      k < 3
        ? { type: "text", raw: "x" + i }
        : k < 6
        ? new Array(i % 5).fill(i)
        : k === 6
        ? (i % 16 === 6 ? /a+b/g : new Token("t"))
        : lexer,
    );
  }
  const ints = Array.from({ length: 64 }, (_, i) => i);
  const CALLS = 100_000;
  for (let r = 0; r < ROUNDS; r++) {
    for (
      const [k, values] of [["calls passed integers", ints], ["calls passed objects", mix]] as const
    ) {
      const rt = runtime();
      const t = rt.startTrace({ maxCalls: CALLS + 10, details: 20 });
      rt.setProcessTrace(t);
      const t0 = cpu();
      try {
        m.loop(values, CALLS);
      } finally {
        const ns = (cpu() - t0) / CALLS * 1e6;
        t.active = false;
        rt.setProcessTrace(null);
        rt.detach(t);
        if (r > 0) best[k] = Math.min(best[k] ?? Infinity, ns);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (sink < 0) console.log(sink);
const rt = typeof Deno !== "undefined" ? "deno" : "Bun" in globalThis ? "bun" : "node";
for (const [k, v] of Object.entries(best)) {
  console.log(`${rt} ${k.padEnd(26)} ${v.toFixed(1)} ns (min of ${ROUNDS - 1} rounds of ${N})`);
}
