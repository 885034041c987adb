// Sums up a .cpuprofile (V8's format, as bench/programs/cpu_profile.mjs writes it, or Bun's
// `--cpu-prof`): time spent in each function itself, by file, and in each function with what it
// calls (a function counted once per sample however deep it recurses).
//
//   node_modules/.bin/deno run -A bench/cpu_profile.ts <file.cpuprofile> [rows]

import { readFileSync } from "node:fs";
import process from "node:process";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: bench/cpu_profile.ts <file.cpuprofile> [rows]");
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const cwd = "file://" + process.cwd() + "/";
const where = (n: ProfileNode) => {
  const f = n.callFrame;
  const url = f.url.startsWith(cwd) ? f.url.slice(cwd.length) : f.url;
  return { fn: `${f.functionName || "(anonymous)"} ${url}:${f.lineNumber + 1}`, file: url || "-" };
};
// Time per sample: the delta before the next one.
const timeOf = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const self = new Map<string, number>(), files = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
for (const [id, us] of timeOf) {
  total += us;
  const w = where(byId.get(id)!);
  add(self, w.fn, us);
  add(files, w.file, us);
  const seen = new Set<string>();
  for (let x: number | undefined = id; x !== undefined; x = parentOf.get(x)) {
    const k = where(byId.get(x)!).fn;
    if (!seen.has(k)) {
      seen.add(k);
      add(inclusive, k, us);
    }
  }
}
const table = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) =>
    `${(us / 1000).toFixed(0).padStart(7)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${
      k.length > 140 ? k.slice(0, 140) + "…" : k
    }`
  ).join("\n");
console.log(`${(total / 1000).toFixed(0)} ms sampled`);
console.log(`-- self time, by function\n${table(self, rows)}`);
console.log(`-- self time, by file\n${table(files, 15)}`);
console.log(`-- with what it calls\n${table(inclusive, rows)}`);
