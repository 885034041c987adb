import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { runIdOf } from "../../src/store/list_runs.ts";
import { loadRun } from "../../src/run_file/json_run.ts";
import {
  copyRunFile,
  runFileName,
  saveRun,
  storeRunFile,
  writeRunFile,
} from "../../src/store/save_run.ts";
import type { RunJSON } from "../../src/types.ts";
import { RUN_FIXTURES, tempDir } from "./_cache.ts";

const RUN = JSON.parse(
  readFileSync(join(RUN_FIXTURES, "run_20261120T091500_042_checkout_a1b2c3.json"), "utf8"),
) as RunJSON;

Deno.test("saveRun() creates the cache folder with a .gitignore and round-trips the run", () => {
  const cacheDir = join(tempDir(), ".tracepatch_cache");
  const path = saveRun(RUN, { cacheDir });
  assert.equal(readFileSync(join(cacheDir, ".gitignore"), "utf8").split("\n").at(-2), "*");
  assert.match(basename(path), /^run_20261120T091500_042_checkout_[0-9a-f]{6}\.json$/);
  assert.deepEqual(loadRun(path), RUN);
  assert.match(runIdOf(basename(path)), /^20261120T091500_042_checkout_[0-9a-f]{6}$/);
});

Deno.test("saveRun() never overwrites: two saves in the same millisecond get two files", () => {
  const cacheDir = tempDir();
  const paths = new Set(Array.from({ length: 20 }, () => saveRun(RUN, { cacheDir })));
  assert.equal(paths.size, 20);
  // No temporary file is left behind (and, the folder being there already, no .gitignore added).
  assert.deepEqual(readdirSync(cacheDir).filter((n) => !n.endsWith(".json")), []);
});

Deno.test("saveRun() keeps an existing .gitignore", () => {
  const cacheDir = tempDir();
  writeFileSync(join(cacheDir, ".gitignore"), "mine\n");
  saveRun(RUN, { cacheDir });
  assert.equal(readFileSync(join(cacheDir, ".gitignore"), "utf8"), "mine\n");
});

Deno.test("runFileName() sorts by time and reduces the label to safe characters", () => {
  const a = runFileName({ timestamp: "2026-11-22T08:15:02.123Z", label: "My Label/../x" });
  assert.match(a, /^run_20261122T081502_123_my-label-x_[0-9a-f]{6}\.json$/);
  const b = runFileName({ timestamp: "2026-11-22T08:15:02.124Z", label: null });
  assert.match(b, /^run_20261122T081502_124_[0-9a-f]{6}\.json$/);
  assert.ok(a < b);
  assert.match(
    runFileName({ timestamp: "x", label: "///" }),
    /^run_\d{8}T\d{6}_\d{3}_[0-9a-f]{6}\.json$/,
  );
  const long = runFileName({ timestamp: "2026-11-22T08:15:02.123Z", label: "a".repeat(100) });
  assert.match(long, /^run_20261122T081502_123_a{40}_[0-9a-f]{6}\.json$/);
});

Deno.test("writeRunFile() indents small runs and writes large ones on one line", () => {
  const dir = tempDir();
  writeRunFile(join(dir, "small.json"), RUN);
  assert.ok(readFileSync(join(dir, "small.json"), "utf8").split("\n").length > 10);
  writeRunFile(join(dir, "large.json"), { ...RUN, call_count: 20_000 });
  assert.equal(readFileSync(join(dir, "large.json"), "utf8").split("\n").length, 2);
  assert.ok(!existsSync(join(dir, "missing", "x.json")));
  assert.throws(
    () => writeRunFile(join(dir, "missing", "x.json"), RUN),
    (e: { code?: string }) => e.code === "ENOENT",
  );
  assert.deepEqual(readdirSync(dir).sort(), ["large.json", "small.json"]);
});

Deno.test("storeRunFile() gives a finished file its run name and never overwrites a run", () => {
  const cacheDir = tempDir();
  const text = JSON.stringify(RUN);
  const paths = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const dot = join(cacheDir, `.run.${i}.tmp`);
    writeFileSync(dot, text);
    paths.add(storeRunFile(dot, RUN, { cacheDir }));
    assert.equal(existsSync(dot), false, "the dot name is gone");
  }
  assert.equal(paths.size, 20);
  for (const path of paths) {
    assert.match(basename(path), /^run_20261120T091500_042_checkout_[0-9a-f]{6}\.json$/);
    assert.deepEqual(loadRun(path), RUN);
  }
  assert.deepEqual(readdirSync(cacheDir).filter((n) => n.startsWith(".")), []);
});

Deno.test("copyRunFile() copies a run file whole and leaves no temporary file", () => {
  const dir = tempDir();
  const from = join(dir, "from.json");
  writeFileSync(from, JSON.stringify(RUN));
  copyRunFile(from, join(dir, "to.json"));
  assert.deepEqual(loadRun(join(dir, "to.json")), RUN);
  assert.deepEqual(readdirSync(dir).sort(), ["from.json", "to.json"]);
});
