import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listRuns, runIdOf } from "../../src/store/list_runs.ts";
import { StoreError } from "../../src/store/store_error.ts";
import { FIXTURE_IDS, projectWithRuns, tempDir } from "./_cache.ts";

Deno.test("listRuns() lists runs newest first and skips unusable files with a warning", () => {
  const { cacheDir } = projectWithRuns();
  // A temporary file of a save in progress is never listed.
  writeFileSync(join(cacheDir, ".run_x.json.1234.tmp"), "{");
  const { entries, warnings } = listRuns(cacheDir);
  assert.deepEqual(entries.map((e) => e.id), FIXTURE_IDS);
  assert.equal(entries[0].path, join(cacheDir, `run_${FIXTURE_IDS[0]}.json`));
  assert.equal(entries[2].run.label, "checkout");
  assert.equal(warnings.length, 3);
  assert.match(
    warnings[0],
    /^Skipping "run_20261121T120000_000_broken_dead00\.json": invalid JSON \(.+\)$/,
  );
  assert.equal(
    warnings[1],
    'Skipping "run_20261123T000000_000_future_beef00.json": written by schema 7, ' +
      "this tph reads up to 1; upgrade tph",
  );
  assert.equal(
    warnings[2],
    'Skipping "settings.json": not a tph run (no "schema", "timestamp", "call_count", "trace")',
  );
});

Deno.test("listRuns() finds nothing in a folder that does not exist yet", () => {
  assert.deepEqual(listRuns(join(tempDir(), ".tracepatch_cache")), { entries: [], warnings: [] });
});

Deno.test("listRuns() names a cache path that is not a folder", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "cache"), "");
  assert.throws(
    () => listRuns(join(dir, "cache"), { cwd: dir }),
    new StoreError('Cannot list runs in "cache": not a folder'),
  );
});

Deno.test("runIdOf() strips run_ and .json", () => {
  assert.equal(
    runIdOf("run_20261122T081502_123_demo_3fa2c1.json"),
    "20261122T081502_123_demo_3fa2c1",
  );
  assert.equal(runIdOf("trace_request.json"), "trace_request");
});
