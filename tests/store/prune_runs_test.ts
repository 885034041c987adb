import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listRuns } from "../../src/store/list_runs.ts";
import { pickOldRuns, type PrunableRun, removeRuns } from "../../src/store/prune_runs.ts";
import { FIXTURE_IDS, projectWithRuns, tempDir } from "./_cache.ts";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-12-01T00:00:00Z");

/** Runs named by letter, newest first: `a` is `hoursAgo[0]` hours old, and so on. */
function runs(sizes: number[], hoursAgo: number[]): PrunableRun[] {
  return sizes.map((size, i) => ({
    path: String.fromCharCode(97 + i),
    size,
    run: { timestamp: new Date(NOW - hoursAgo[i] * HOUR).toISOString() },
  }));
}
const paths = (picked: PrunableRun[]) => picked.map((r) => r.path).join("");

Deno.test("pickOldRuns() keeps the newest N and picks the others, oldest first", () => {
  const r = runs([1, 1, 1, 1], [1, 2, 3, 4]);
  assert.equal(paths(pickOldRuns(r, { keep: 2, now: NOW })), "dc");
  assert.equal(paths(pickOldRuns(r, { keep: 4, now: NOW })), "");
  assert.equal(paths(pickOldRuns(r, { keep: 9, now: NOW })), "");
  // keep 0: every run (what tph clean --all does).
  assert.equal(paths(pickOldRuns(r, { keep: 0, now: NOW })), "dcba");
  // No bound: nothing.
  assert.equal(paths(pickOldRuns(r, { now: NOW })), "");
});

Deno.test("pickOldRuns() picks runs older than a duration, by their time", () => {
  const r = runs([1, 1, 1, 1], [1, 5, 30, 50]);
  assert.equal(paths(pickOldRuns(r, { olderThanMs: 24 * HOUR, now: NOW })), "dc");
  assert.equal(paths(pickOldRuns(r, { olderThanMs: 5 * HOUR, now: NOW })), "dc");
  assert.equal(paths(pickOldRuns(r, { olderThanMs: 4 * HOUR, now: NOW })), "dcb");
  assert.equal(paths(pickOldRuns(r, { olderThanMs: 100 * HOUR, now: NOW })), "");
  // A run from the future (a clock set wrong) is not old.
  assert.equal(paths(pickOldRuns(runs([1], [-5]), { olderThanMs: HOUR, now: NOW })), "");
});

Deno.test("pickOldRuns() keeps the newest runs that fit in maxBytes", () => {
  const r = runs([100, 200, 300, 400], [1, 2, 3, 4]);
  assert.equal(paths(pickOldRuns(r, { maxBytes: 1000, now: NOW })), "");
  assert.equal(paths(pickOldRuns(r, { maxBytes: 999, now: NOW })), "d");
  assert.equal(paths(pickOldRuns(r, { maxBytes: 300, now: NOW })), "dc");
  assert.equal(paths(pickOldRuns(r, { maxBytes: 299, now: NOW })), "dcb");
  assert.equal(paths(pickOldRuns(r, { maxBytes: 50, now: NOW })), "dcba");
});

Deno.test("pickOldRuns() removes a run when it breaks any bound given", () => {
  const r = runs([100, 100, 100, 100, 100], [1, 2, 30, 40, 50]);
  // keep 4 alone picks e; older than a day alone picks e, d, c: together, both hold.
  assert.equal(paths(pickOldRuns(r, { keep: 4, olderThanMs: 24 * HOUR, now: NOW })), "edc");
  assert.equal(paths(pickOldRuns(r, { keep: 1, olderThanMs: 24 * HOUR, now: NOW })), "edcb");
  assert.equal(paths(pickOldRuns(r, { keep: 3, maxBytes: 250, now: NOW })), "edc");
  assert.equal(paths(pickOldRuns(r, { keep: 2, maxBytes: 450, now: NOW })), "edc");
});

Deno.test("pickOldRuns() never picks a protected run, which still counts toward the bounds", () => {
  const r = runs([100, 100, 100, 100], [1, 2, 3, 4]);
  // The protected run is the oldest (a clock set back): the others make room.
  assert.equal(paths(pickOldRuns(r, { keep: 2, now: NOW, protect: ["d"] })), "cb");
  assert.equal(paths(pickOldRuns(r, { keep: 0, now: NOW, protect: ["a"] })), "dcb");
  const big = runs([5000, 100, 100], [1, 2, 3]);
  assert.equal(paths(pickOldRuns(big, { maxBytes: 1000, now: NOW, protect: ["a"] })), "cb");
});

Deno.test("pickOldRuns() takes a run whose time is unknown as the oldest, never as old", () => {
  const r = [...runs([1, 1], [1, 50]), { path: "x", size: 1, run: { timestamp: "yesterday" } }];
  assert.equal(paths(pickOldRuns(r, { olderThanMs: 24 * HOUR, now: NOW })), "b");
  assert.equal(paths(pickOldRuns(r, { keep: 2, now: NOW })), "x");
});

Deno.test("listRuns() gives each run's file size", () => {
  const { cacheDir } = projectWithRuns();
  const { entries } = listRuns(cacheDir);
  assert.deepEqual(entries.map((e) => e.id), FIXTURE_IDS);
  assert.deepEqual(entries.map((e) => e.size), [1783, 3280, 5423, 1046]);
});

Deno.test("removeRuns() removes run files, reports the ones it cannot, and goes on", () => {
  const dir = tempDir();
  const file = (name: string) => {
    writeFileSync(join(dir, name), "{}");
    return { path: join(dir, name) };
  };
  const a = file("a.json");
  const b = { path: join(dir, "b.json") };
  // Replaced by a folder and by a link since it was listed: left alone.
  mkdirSync(b.path);
  writeFileSync(join(b.path, "keep.txt"), "x");
  const target = file("target.json");
  const c = { path: join(dir, "c.json") };
  symlinkSync(target.path, c.path);
  const gone = { path: join(dir, "gone.json") };
  const d = file("d.json");
  const { removed, failed } = removeRuns([a, b, c, gone, d]);
  assert.deepEqual(removed, [a, gone, d]);
  assert.deepEqual(failed.map((f) => [f.run, f.problem]), [
    [b, "no longer a regular file; left alone"],
    [c, "no longer a regular file; left alone"],
  ]);
  assert.deepEqual(listRuns(dir).entries, []);
  assert.ok(Deno.statSync(join(b.path, "keep.txt")).isFile);
  assert.ok(Deno.lstatSync(c.path).isSymlink);
  assert.ok(Deno.statSync(target.path).isFile);
});
