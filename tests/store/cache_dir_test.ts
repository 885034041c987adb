import assert from "node:assert/strict";
import { readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeStaleTemps } from "../../src/store/cache_dir.ts";
import { tempDir } from "./_cache.ts";

Deno.test("removeStaleTemps() removes old dot .tmp files and keeps runs and recent temps", () => {
  const dir = tempDir();
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const files = {
    ".run.123.ab12.tmp": old,
    ".run.123.ab12.tmp.ending.json": old,
    ".run_x.json.9f.tmp": old,
    ".run.456.cd34.tmp": new Date(),
    "run_20261120T091500_042_a1b2c3.json": old,
    ".gitignore": old,
  };
  for (const [name, time] of Object.entries(files)) {
    writeFileSync(join(dir, name), "{}");
    utimesSync(join(dir, name), time, time);
  }
  assert.equal(removeStaleTemps(dir), 3);
  assert.deepEqual(readdirSync(dir).sort(), [
    ".gitignore",
    ".run.456.cd34.tmp",
    "run_20261120T091500_042_a1b2c3.json",
  ]);
  assert.equal(removeStaleTemps(join(dir, "missing")), 0);
});
