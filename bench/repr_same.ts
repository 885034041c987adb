// Issue 49 (vals): whether this worktree's repr describes values as another worktree's does: random
// objects (class instances, null prototypes, many keys, symbols enumerable or not, getters, cycles,
// secret-looking keys, long keys, arrays past 100 items, maps, functions) through repr, reprKept
// (with and without redaction) and reprBrief at several widths, the texts compared.
//
//   node_modules/.bin/deno run -A bench/repr_same.ts <worktree> [--values N]
//   node_modules/.bin/bun bench/repr_same.ts <worktree> [--values N]
//
// Prints how many values were described and how many differ (the first three shown); exit code 1
// when any differ.

import process from "node:process";
import { join } from "node:path";

const args = process.argv.slice(2);
const vi = args.indexOf("--values");
const COUNT = vi >= 0 ? Number(args[vi + 1]) : 40000;
const other = args.find((a, i) => !a.startsWith("--") && (vi < 0 || i !== vi + 1));
if (other === undefined) throw new Error("usage: repr_same.ts <worktree> [--values N]");
const here = join(import.meta.dirname!, "..");
const A = await import(join(other, "src/program/recorder/repr.ts"));
const B = await import(join(here, "src/program/recorder/repr.ts"));
const RA = await import(join(other, "src/program/recorder/redact.ts"));
const RB = await import(join(here, "src/program/recorder/redact.ts"));
const ra = new RA.Redaction({}), rb = new RB.Redaction({});
let seed = 1;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const KEYS = [
  "a",
  "type",
  "start",
  "password",
  "token",
  "x y",
  "1",
  "loc",
  "weird\nkey",
  "k".repeat(70),
  "apiKey",
  "end",
  "value",
];
class P {
  constructor() {}
}
function make(d: number): unknown {
  const t = rnd(12);
  if (d > 4 || t < 3) {
    return [
      1,
      -0,
      "s",
      "str ".repeat(rnd(40)),
      null,
      undefined,
      12345678901,
      1.5,
      true,
      10n,
    ][rnd(10)];
  }
  if (t === 3) {
    const a: unknown[] = [];
    const n = rnd(8) === 0 ? 150 : rnd(6);
    for (let i = 0; i < n; i++) a.push(make(d + 1));
    return a;
  }
  if (t === 4) return new Map([[make(d + 1), make(d + 1)], ["password", 1]]);
  if (t === 5) return () => 1;
  const o: Record<string, unknown> = t === 6 ? new P() : t === 7 ? Object.create(null) : {};
  const n = rnd(9) === 0 ? 130 : rnd(8);
  for (let i = 0; i < n; i++) o[rnd(3) === 0 ? KEYS[rnd(KEYS.length)] : "k" + i] = make(d + 1);
  const ns = rnd(4) === 0 ? 1 + rnd(3) : 0;
  for (let i = 0; i < ns; i++) {
    Object.defineProperty(o, Symbol("s" + i), { value: make(d + 1), enumerable: rnd(2) === 0 });
  }
  if (rnd(5) === 0) {
    Object.defineProperty(o, "g", {
      get() {
        throw new Error("ran");
      },
      enumerable: true,
    });
  }
  if (rnd(6) === 0) o.self = o;
  return o;
}
let n = 0, bad = 0;
for (let i = 0; i < COUNT; i++) {
  const v = make(0);
  const room = [120, 40, 20, 300, 8, 1000][rnd(6)];
  const red = rnd(2) === 0;
  const a = A.reprKept(v, room, red ? ra : null) + "|" + A.keptCut + "|" + A.repr(v, room) + "|" +
    A.reprBrief(v, room, ra);
  const b = B.reprKept(v, room, red ? rb : null) + "|" + B.keptCut + "|" + B.repr(v, room) + "|" +
    B.reprBrief(v, room, rb);
  n++;
  if (a !== b) { if (bad++ < 3) console.log("DIFF\n" + a + "\n" + b); }
}
console.log(n, "values,", bad, "differ");
if (bad > 0) process.exitCode = 1;
