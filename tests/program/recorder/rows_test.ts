// The row's bookkeeping: a call's depth kept as calls begin and end (no column), and which
// arguments wait for their summary marked per argument (settleArgs reads only those).

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { reprBrief } from "../../../src/program/recorder/repr.ts";
import type { TraceLimits } from "../../../src/run_file/limits.ts";
import { loadInstrumented, traceRun } from "./_module_trace.ts";
import type { CallNodeJSON, RunJSON } from "../../../src/types.ts";

const SOURCE = `
export function leaf(x) { return x; }
export function chain(n) { return n === 0 ? leaf(0) : chain(n - 1); }
export async function later(n) { await null; chain(n); await null; return chain(n - 1); }
export async function top(n) { return await later(n); }
export function* gen() { yield chain(2); yield chain(1); yield chain(3); }
export function stepper(g, d) { return d === 0 ? g.next().value : stepper(g, d - 1); }
export function work() {
  const g = gen();
  stepper(g, 0);
  stepper(g, 3);
  chain(2);
  stepper(g, 1);
  return top(4);
}
export function five(a, b, c, d, e) { return e; }
export function three(a, b, c) { return c; }
export function six(a, b, c, d, e, f) { return f; }
`;

let dir = "";
// deno-lint-ignore no-explicit-any
let m: any;

async function load(): Promise<void> {
  if (m !== undefined) return;
  ({ dir, m } = await loadInstrumented(SOURCE, "tph-rows-"));
}

async function traced(limits: TraceLimits, body: () => unknown): Promise<RunJSON> {
  await load();
  return traceRun(limits, body, 10);
}

type Shape = { name: string; dropped: number; children: Shape[] };

/** The calls below `n`, all levels. */
const below = (n: CallNodeJSON): number =>
  n.children.reduce((s, c) => s + 1 + below(c), 0) + (n.dropped ?? 0);

/** The tree cut at `depth` levels, each cut call counting the calls it had below. */
function cut(ns: CallNodeJSON[], depth: number): Shape[] {
  return ns.map((n) => ({
    name: n.name,
    dropped: depth === 1 ? below(n) : n.dropped ?? 0,
    children: depth === 1 ? [] : cut(n.children, depth - 1),
  }));
}

function shape(ns: CallNodeJSON[]): Shape[] {
  return ns.map((n) => ({
    name: n.name,
    dropped: n.dropped ?? 0,
    children: shape(n.children),
  }));
}

Deno.test("rows: max_depth cuts where the whole tree is that deep (after awaits, generators)", async () => {
  try {
    const whole = await traced({}, () => m.work());
    // The generator's calls, stepped from several depths, and the async calls' after an await.
    assert.ok(whole.call_count > 30, `${whole.call_count}`);
    for (let depth = 1; depth <= 7; depth++) {
      const run = await traced({ maxDepth: depth }, () => m.work());
      assert.deepEqual(shape(run.trace), cut(whole.trace, depth), `max_depth ${depth}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m = undefined;
  }
});

Deno.test("rows: the arguments past the detail budget are summarised, texts kept, in every layout", async () => {
  try {
    const fn = function () {};
    const run = await traced({ details: 0 }, () => {
      // A list of arguments: argument 3 a function shown by its parameter's name (a text), the
      // objects around it summarised.
      m.five({ a: 1 }, [1], new Map(), () => 1, [1, 2]);
      m.three(1, { b: 2 }, [3, 4, 5]);
      m.three({ c: 1 }, "s", [6]);
      m.six({ x: 1 }, 2, [3], fn, () => 4, new Set([1]));
    });
    const all = await traced({ details: "all" }, () => {
      m.five(0, 0, 0, () => 1, 0);
      m.six(0, 0, 0, fn, () => 4, 0);
    });
    const calls = (r: RunJSON, name: string) => r.trace.filter((c) => c.name === name);
    const brief = (v: unknown) => reprBrief(v, 120, null);
    assert.deepEqual(calls(run, "five")[0].args, {
      a: brief({ a: 1 }),
      b: brief([1]),
      c: brief(new Map()),
      d: calls(all, "five")[0].args.d,
      e: brief([1, 2]),
    });
    assert.deepEqual(calls(run, "three").map((c) => c.args), [
      { a: "1", b: brief({ b: 2 }), c: brief([3, 4, 5]) },
      { a: brief({ c: 1 }), b: '"s"', c: brief([6]) },
    ]);
    const six = calls(run, "six")[0].args, sixAll = calls(all, "six")[0].args;
    assert.deepEqual(Object.values(six), [
      brief({ x: 1 }),
      "2",
      brief([3]),
      sixAll.d,
      sixAll.e,
      brief(new Set([1])),
    ]);
    // 11 objects in arguments, 4 returned.
    assert.equal(run.summarised, 15);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m = undefined;
  }
});
