import assert from "node:assert/strict";
import { bunCheck, runPlain, type RuntimeName, runTraced } from "../../_harness.ts";
import { clipString, formatError, repr, reprLimit } from "../../../src/program/recorder/repr.ts";
import { checkClips } from "./_clip_check.ts";

const BIG_STRINGS = new URL("../../fixtures/memory/big_strings.mjs", import.meta.url).pathname;

Deno.test("clipString() keeps what repr() shows of a string, and no more", () => {
  checkClips();
});

Deno.test("clipString() keeps what repr() shows under Bun", () => {
  assert.match(bunCheck(new URL("./clip_bun_check.ts", import.meta.url)), /CLIP_OK/);
});

Deno.test("a recorded 20 MB string is stored as max_repr + 1 characters", () => {
  const s = "é".repeat(20_000_000);
  const kept = clipString(s, reprLimit(120) + 1);
  assert.equal(kept.length, 121);
  assert.equal(repr(kept, 120), repr(s, 120));
});

function heapOf(stdout: string): { total: number; heap: number } {
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

for (const rt of ["deno", "bun"] as RuntimeName[]) {
  Deno.test(`recording new 4 MB strings keeps none of them alive (${rt})`, () => {
    // 25 rounds of five 4 MB strings: kept whole, the traced run would hold 500 MB more.
    const plain = runPlain(rt, BIG_STRINGS, { timeoutMs: 60_000 });
    const traced = runTraced(rt, BIG_STRINGS, { timeoutMs: 60_000 });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(traced.code, 0, traced.stderr);
    const p = heapOf(plain.stdout), t = heapOf(traced.stdout);
    assert.equal(t.total, p.total);
    const extra = (t.heap - p.heap) / 1e6;
    assert.ok(extra < 50, `the traced run holds ${extra.toFixed(0)} MB more than the plain one`);
    // What the run shows of the strings is what repr() shows of the whole string.
    const calls = traced.trace!.trace;
    const shown = repr("a".repeat(4_000_000), 120);
    const named = (name: string) => calls.find((c) => c.name === name)!;
    assert.equal(named("take").args.s, shown);
    assert.equal(named("give").return_value, shown);
    assert.equal(named("throwString").exception, shown);
    assert.equal(named("throwError").exception, formatError(new Error("a".repeat(4_000_000))));
    const external = named("passOn").children[0];
    assert.equal(external.args["0"], shown);
    assert.equal(external.return_value, repr(JSON.stringify("a".repeat(4_000_000)), 120));
  });
}
