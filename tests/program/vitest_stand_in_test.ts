// The recorder stand-in that every module tph instruments for vitest imports
// (src/program/tests/vitest_plugin.ts): in a worker that vitest started without tph's preload, the
// rewritten code must run as the source does, every call of the recorder's that it makes answered.

import assert from "node:assert/strict";
import vm from "node:vm";
import { instrument } from "../../src/program/instrument/instrument.ts";
import { STAND_IN_CODE } from "../../src/program/tests/vitest_plugin.ts";

// Returns, awaits, for await, yield*, external calls (globals, spread and last arguments), a
// catch, a finally, a class with a derived constructor, a getter.
const SOURCE = `
class Base { constructor(n) { this.n = n; } get twice() { return this.n * 2; } }
class Derived extends Base { constructor(n) { super(n + 1); this.m = Math.max(n, 3); } }
function* inner() { yield 1; yield 2; }
function* outer() { yield* inner(); yield 3; }
async function* agen() { yield 4; yield* outer(); }
async function collect() {
  const out = [];
  for await (const v of agen()) out.push(v);
  return out;
}
function risky(x) {
  try {
    if (x > 1) throw new RangeError("big " + x);
    return JSON.parse(JSON.stringify({ x }));
  } catch (e) {
    return String(e.message);
  } finally {
    Math.min(...[x, 2]);
  }
}
async function main() {
  await new Promise((r) => setTimeout(r, 1));
  const d = new Derived(4);
  return [d.twice, d.m, risky(1), risky(5), await collect(), [1, 2].map((v) => v * 10)];
}
globalThis.result = main();
`;

Deno.test("vitest: without tph's preload, rewritten code runs as the source does, on the stand-in recorder", async () => {
  const plain = vm.createContext({ setTimeout });
  vm.runInContext(SOURCE, plain);
  const expected = await plain.result;
  const { code } = instrument(SOURCE, { filename: "/project/m.js", lang: "js" });
  assert.notEqual(code, SOURCE);
  const bare = vm.createContext({ setTimeout });
  // Without the stand-in the rewritten code cannot run.
  vm.runInContext(code, bare);
  await assert.rejects(bare.result, /__tph is not defined/);
  const traced = vm.createContext({ setTimeout });
  vm.runInContext(STAND_IN_CODE, traced);
  vm.runInContext(code, traced);
  assert.deepEqual(
    JSON.parse(JSON.stringify(await traced.result)),
    JSON.parse(JSON.stringify(expected)),
  );
  // A recorder already there stays.
  const own = vm.createContext({ __tph: { mine: true } });
  vm.runInContext(STAND_IN_CODE, own);
  assert.deepEqual(vm.runInContext("__tph", own), { mine: true });
});
