// Issue 49: what a call past max_calls costs in the program (in-process CPU, Node), the path every
// call after the first 100,000 takes with tph's default settings. A small module rewritten by tph's
// own rewriter runs under a trace() whose only recorded call is the loop's root; its 8M calls are
// all counted as left out. Prints ns a call (medians of 15 rounds) and the plain module's beside it.
//
//   node bench/past_limit.mjs [lib folder, default ./lib]   (build lib/ first: node npm/build.ts)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const lib = resolve(process.argv[2] ?? new URL("../lib", import.meta.url).pathname);
const { instrument, trace } = await import(pathToFileURL(join(lib, "mod.js")).href);
const src = `
export function leaf(a, b) { return a + b; }
export function one(a) { return a; }
export function none() { return 1; }
export function mid(a) { return leaf(a, 1) + one(a) + none(); }
export function top(n) { let s = 0; for (let i = 0; i < n; i++) s += mid(i); return s; }
export function rounds(k, n, tick) { for (let r = 0; r < k; r++) { tick(); top(n); } tick(); }
`;
const dir = mkdtempSync(join(tmpdir(), "tph-past-limit-"));
const load = async (name, code) => {
  const file = join(dir, name);
  writeFileSync(file, code);
  return await import(pathToFileURL(file).href);
};
trace({ maxCalls: 1 }).stop(); // installs the recorder
const traced = await load(
  "traced.mjs",
  instrument(src, { filename: join(dir, "traced.mjs") }).code,
);
const plain = await load("plain.mjs", src);
rmSync(dir, { recursive: true, force: true });

const N = 2e6, CALLS = 4 * N;
function measure(m) {
  const ns = [];
  let c0 = null;
  m.rounds(15, N, () => {
    if (c0 !== null) {
      const c = process.cpuUsage(c0);
      ns.push((c.user + c.system) * 1000 / CALLS);
    }
    c0 = process.cpuUsage();
  });
  return ns.sort((a, b) => a - b)[ns.length >> 1];
}
const t = trace({ maxCalls: 1 });
const past = measure(traced);
t.stop();
const base = measure(plain);
console.log(
  `past_limit (${lib}): ${past.toFixed(1)} ns a call past max_calls, plain ${base.toFixed(1)}`,
);
