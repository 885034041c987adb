// tph diff --summary's figures (profileDiff): self time is a call's own running time, without the
// calls it made nor the time it spent awaiting, each counted once.

import assert from "node:assert/strict";
import { CallTable, Identities } from "../../../src/cli/diff/call_table.ts";
import { profileDiff } from "../../../src/cli/diff/profile_diff.ts";

/** A table of calls: [identity, descendants, elapsed µs, awaited µs], depth first. */
function table(calls: [number, number, number, number][]): CallTable {
  const t = new CallTable(calls.length, () => "", () => ({}) as never);
  t.n = calls.length;
  calls.forEach(([key, desc, elapsed, awaited], i) => {
    t.key[i] = key;
    t.desc[i] = desc;
    t.elapsed[i] = elapsed;
    t.awaited[i] = awaited;
  });
  return t;
}

Deno.test("tph diff --summary: an async call's time awaiting is not its self time", () => {
  const ids = new Identities();
  const handle = ids.id("handle", "a.ts"), fetch = ids.id("fetch", "a.ts");
  const sync = ids.id("parse", "a.ts");
  // A: handle (60 ms, 55 awaiting) awaits fetch (50 ms, 48 awaiting); parse is sync (10 ms, a
  // 4 ms call below it). B: the same but handle awaits 30 ms only.
  const a = table([[handle, 1, 60_000, 55_000], [fetch, 0, 50_000, 48_000], [sync, 1, 10_000, 0], [
    fetch,
    0,
    4_000,
    0,
  ]]);
  const b = table([[handle, 1, 60_000, 30_000], [fetch, 0, 20_000, 18_000]]);
  const lines = profileDiff(a, b, ids);
  const of = (name: string) => lines.find((l) => l.name === name)!;
  assert.deepEqual(of("handle").a, { calls: 1, total: 60_000, self: 5_000 });
  assert.deepEqual(of("handle").b, { calls: 1, total: 60_000, self: 30_000 });
  assert.deepEqual(of("fetch").a, { calls: 2, total: 54_000, self: 6_000 });
  assert.deepEqual(of("parse").a, { calls: 1, total: 10_000, self: 6_000 });
});
