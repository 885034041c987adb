// Issue 49, the values on marked: what each kind of value a recorded call stores costs the
// program, in the same process (ns an operation, the median of rounds). The kinds are the ones
// marked's calls store past and within the detail budget (tph run on marked_render.mjs, every
// call): summaries of RegExps made again from a few sources (40,000 a run), of objects without a
// prototype (26,000), of plain objects and arrays (290,000); long strings clipped and scanned for
// secrets (18,000 distinct); a token described in full (a function's first calls).
//
//   node_modules/.bin/deno run -A bench/values49.ts [--rounds N]
//   node_modules/node24/bin/node bench/values49.ts [--rounds N]

import { loadavg } from "node:os";
import process from "node:process";
import { briefIndex } from "../src/program/recorder/details.ts";
import { clipString, reprKept } from "../src/program/recorder/repr.ts";
import { Texts } from "../src/program/recorder/tape.ts";
import { TraceState } from "../src/program/recorder/trace_state.ts";
import type { Tape } from "../src/program/recorder/tape.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(args[at + 1]) : 7;
const N = 20_000;

// marked's list rules, made per list item from the item's bullet (a tab in most sources).
const SOURCES = [
  "^( {0,3}[*+-])((?:[\t ][^\\n]*)?(?:\\n|$))",
  "^ {0,1}(?:[*+-]|\\d{1,9}[.)])((?:[ \t][^\\n]*)?(?:\\n|$))",
  "^ {0,3}((?:-[\t ]*){3,}|(?:_[ \t]*){3,}|(?:\\*[ \t]*){3,})(?:\\n+|$)",
  "^ {0,3}(?:```|~~~)",
  "^ {0,3}#",
  "^ {0,3}<(?:[a-z].*>|!--)",
];
const md = Array.from(
  { length: 400 },
  (_, i) =>
    `## Section ${i}\n\nSome *emphasis*, **strong**, \`code\` and a [link](https://x.dev/${i}).\n`,
).join("\n");

function fresh(): { tp: Tape<TraceState>; t: TraceState } {
  const t = new TraceState({});
  return { tp: { texts: new Texts() } as unknown as Tape<TraceState>, t };
}

const cases: [string, () => unknown[], (v: unknown) => unknown][] = [
  [
    "summary: RegExp made again",
    () => made((i) => new RegExp(SOURCES[i % 6], i % 3 ? "" : "g")),
    brief,
  ],
  ["summary: object without prototype", () => made(() => Object.create(null)), brief],
  ["summary: plain object (token)", () => made((i) => ({ type: "text", raw: "x" + i })), brief],
  ["summary: plain array", () => made((i) => [i, i + 1]), brief],
  ["long string: scan + clip", () => made((i) => md.substring(i % 5000)), (v) => {
    const s = v as string;
    return cur.t.scrubs!.hits(s) ? s : clipString(s, cur.t.keepChars);
  }],
  [
    "first call: token in full",
    () => made((i) => ({ type: "text", raw: "x" + i, text: "x" + i, escaped: false })),
    (v) => reprKept(v, cur.t.maxRepr, cur.t.redaction),
  ],
];
let cur = fresh();
function made(f: (i: number) => unknown): unknown[] {
  return Array.from({ length: N }, (_, i) => f(i));
}
function brief(v: unknown): unknown {
  return briefIndex(cur.tp, cur.t, v as object);
}

for (const [name, make, op] of cases) {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const values = make();
    cur = fresh();
    const t0 = performance.now();
    for (let i = 0; i < values.length; i++) op(values[i]);
    times.push((performance.now() - t0) * 1e6 / values.length);
  }
  times.sort((a, b) => a - b);
  console.log(name.padEnd(36), times[times.length >> 1].toFixed(0).padStart(6), "ns");
}
console.log("load", loadavg().map((x) => x.toFixed(2)).join(" "));
