// An async function's call lasts until its own promise settles, also when it returns a promise
// without awaiting it (`return wait(60)`): its time runs to the settlement, and the time after
// its body ended counts as awaiting. On every runtime, as tph runs programs.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RuntimeName, runTraced } from "../../_harness.ts";
import type { CallNodeJSON } from "../../../src/types.ts";

const PROGRAM = `
const wait = (ms, v) => new Promise((resolve) => setTimeout(resolve, ms, v));
async function slow() {
  return wait(60, "late");
}
async function slowFails() {
  return wait(60).then(() => Promise.reject(new RangeError("late failure")));
}
const slowArrow = async () => wait(60, "arrow");
async function finallyWaits() {
  try {
    return Promise.resolve("early");
  } finally {
    await wait(60);
  }
}
async function quick() {
  return 1;
}
console.log(await slow(), await slowFails().catch((e) => e.message), await slowArrow());
console.log(await finallyWaits(), await quick());
`;

/** The delay the program waits; a timer may fire a little early. */
const AT_LEAST = 50;

for (const rt of ["deno", "bun", "node", "node22"] as RuntimeName[]) {
  Deno.test(`an async call that returns a promise lasts until it settles (${rt})`, () => {
    const dir = mkdtempSync(join(tmpdir(), "tph-settle-"));
    try {
      const file = join(dir, "main.mjs");
      writeFileSync(file, PROGRAM);
      const r = runTraced(rt, file, { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "late late failure arrow\nearly 1\n");
      const byName = new Map<string, CallNodeJSON>();
      for (const node of r.trace!.trace) byName.set(node.name, node);
      const call = (name: string) => {
        const node = byName.get(name);
        assert.ok(node, `no call of ${name}`);
        return node;
      };
      for (const [name, value] of [["slow", '"late"'], ["slowArrow", '"arrow"']]) {
        const node = call(name);
        assert.equal(node.return_value, value, name);
        assert.ok(node.elapsed_ms! >= AT_LEAST, `${name}: ${node.elapsed_ms} ms`);
        // Its body ended at once: the rest of its time it waited for the promise.
        assert.ok(node.awaited_ms! >= AT_LEAST, `${name} awaited ${node.awaited_ms} ms`);
        assert.ok(node.awaited_ms! <= node.elapsed_ms!, name);
      }
      const fails = call("slowFails");
      assert.equal(fails.exception, "RangeError: late failure");
      assert.ok(fails.elapsed_ms! >= AT_LEAST, `slowFails: ${fails.elapsed_ms} ms`);
      // Settled first, but its call ends with its finally block.
      const waits = call("finallyWaits");
      assert.equal(waits.return_value, '"early"');
      assert.ok(waits.elapsed_ms! >= AT_LEAST, `finallyWaits: ${waits.elapsed_ms} ms`);
      assert.equal(call("quick").return_value, "1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// An async recursion that runs out of stack: each level returns the rejected promise of the
// level below from near the limit, where following it may run out of stack too. The error the
// program catches must be the runtime's own, not one raised in tph's code.
const RECURSION = `
async function down(n) {
  return down(n + 1);
}
down(0).catch((e) => {
  const ours = e.stack.split("\\n").filter((l) => l.includes("/src/program/")).length;
  console.log(e.constructor.name, ours);
});
`;

for (const rt of ["deno", "bun", "node", "node22"] as RuntimeName[]) {
  Deno.test(`an async recursion out of stack rejects with the runtime's error, not tph's (${rt})`, () => {
    const dir = mkdtempSync(join(tmpdir(), "tph-settle-"));
    try {
      const file = join(dir, "main.mjs");
      writeFileSync(file, RECURSION);
      const r = runTraced(rt, file, { timeoutMs: 60_000 });
      assert.equal(r.stdout, "RangeError 0\n", r.stderr.slice(0, 2000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
