import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { RUN_MAGIC, TRAILER_BYTES, TRAILER_MAGIC } from "../../src/run_file/format.ts";
import { join } from "node:path";
import { listRuns, runIdOf } from "../../src/store/list_runs.ts";
import { StoreError } from "../../src/run_file/store_error.ts";
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
    'Skipping "run_20261122T000000_000_future_beef00.json": written by schema 7, ' +
      "this tph reads up to 1; upgrade tph",
  );
  assert.equal(
    warnings[2],
    'Skipping "settings.json": not a tph run (no "schema", "timestamp", "call_count", "trace")',
  );
});

Deno.test("listRuns() finds nothing in a folder that does not exist yet", () => {
  assert.deepEqual(listRuns(join(tempDir(), ".tracepatch_cache")), {
    entries: [],
    warnings: [],
    skipped: [],
  });
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

Deno.test("listRuns() skips odd files without reading them or quoting them", () => {
  const { cacheDir } = projectWithRuns();
  const secret = join(tempDir(), "secret.txt");
  writeFileSync(secret, "root:$6$hash-that-must-not-leak:19000:0:99999:7:::\n");
  // Links to a secret file, to an endless device; a FIFO that would block a reader.
  symlinkSync(secret, join(cacheDir, "run_20261101T000000_000_link_aaaaaa.json"));
  symlinkSync("/dev/zero", join(cacheDir, "run_20261101T000000_000_zero_bbbbbb.json"));
  const fifo = join(cacheDir, "run_20261101T000000_000_fifo_cccccc.json");
  const made = spawnSync("mkfifo", [fifo], { timeout: 10_000 });
  // A secret copied in as a file: invalid JSON, and its text is not quoted.
  writeFileSync(join(cacheDir, "run_20261101T000000_000_copy_dddddd.json"), readFileSync(secret));
  const { entries, warnings } = listRuns(cacheDir);
  assert.deepEqual(entries.map((e) => e.id), FIXTURE_IDS);
  const text = warnings.join("\n");
  assert.ok(!text.includes("hash-that-must-not-leak"), text);
  assert.ok(!text.includes("root:"), text);
  assert.match(text, /"run_20261101T000000_000_link_aaaaaa\.json": not a regular file/);
  assert.match(text, /"run_20261101T000000_000_zero_bbbbbb\.json": not a regular file/);
  if (made.status === 0) {
    assert.match(text, /"run_20261101T000000_000_fifo_cccccc\.json": not a regular file/);
  }
  assert.match(text, /"run_20261101T000000_000_copy_dddddd\.json": invalid JSON \(/);
});

Deno.test("listRuns() skips a run whose fields have the wrong types, and lists the others", () => {
  const { cacheDir } = projectWithRuns();
  const good = JSON.parse(
    readFileSync(join(cacheDir, `run_${FIXTURE_IDS[0]}.json`), "utf8"),
  );
  const odd: [string, Record<string, unknown>, RegExp][] = [
    ["label", { ...good, label: 5 }, /"label" is number, not string or null/],
    ["run", { ...good, run: null }, /"run" is null, not an object/],
    ["nocommand", { ...good, run: { ...good.run, command: undefined } }, /no "run.command"/],
    ["config", { ...good, config: { max_depth: "x" } }, /"config.max_depth" is string/],
    ["words", { ...good, run: { ...good.run, command: [1] } }, /"run.command" is not a list/],
  ];
  odd.forEach(([tag, run], i) =>
    writeFileSync(
      join(cacheDir, `run_20261101T00000${i}_000_${tag}_ee${i}eee.json`),
      JSON.stringify(run),
    )
  );
  const { entries, warnings } = listRuns(cacheDir);
  assert.deepEqual(entries.map((e) => e.id), FIXTURE_IDS);
  for (const [tag, , pattern] of odd) {
    const w = warnings.find((x) => x.includes(`_${tag}_`));
    assert.ok(w, `a warning for ${tag}: ${warnings.join("\n")}`);
    assert.match(w, pattern);
  }
});

Deno.test("listRuns() does not read a meta that a run file's trailer says is huge", () => {
  const { cacheDir } = projectWithRuns();
  // tph's format: its magic, 300 MB of hole, and a trailer whose meta starts right after the magic.
  const path = join(cacheDir, "run_20261124T000000_000_huge_abcdef.tph");
  const size = 300 << 20;
  const r = spawnSync("truncate", ["-s", String(size), path], { timeout: 10_000 });
  assert.equal(r.status, 0);
  const trailer = new Uint8Array(TRAILER_BYTES);
  const view = new DataView(trailer.buffer);
  view.setFloat64(0, RUN_MAGIC.length, true);
  view.setFloat64(8, RUN_MAGIC.length, true);
  view.setFloat64(16, RUN_MAGIC.length, true);
  trailer.set(new TextEncoder().encode(TRAILER_MAGIC), 24);
  const fd = openSync(path, "r+");
  writeSync(fd, RUN_MAGIC, 0, RUN_MAGIC.length, 0);
  writeSync(fd, trailer, 0, trailer.length, size - TRAILER_BYTES);
  closeSync(fd);
  const { entries, warnings } = listRuns(cacheDir);
  assert.deepEqual(entries.map((e) => e.id), FIXTURE_IDS);
  // Refused from its trailer alone (the 300 MB it points at are never read): the trailer's own
  // checks or the bound on a meta's size, whichever sees it first.
  assert.ok(
    warnings.some((w) =>
      /^Skipping "run_20261124T000000_000_huge_abcdef\.tph": not a tph run \((its meta is over 16 MB|its trailer does not add up)\)$/
        .test(w)
    ),
    warnings.join("\n"),
  );
});

Deno.test("listRuns() lists the runs of a program's processes and workers right after its run", () => {
  const dir = tempDir();
  const run = (id: string, timestamp: string, parent?: object) =>
    writeFileSync(
      join(dir, `run_${id}.json`),
      JSON.stringify({
        schema: 1,
        tracepatch_version: "0",
        timestamp,
        label: null,
        call_count: 0,
        was_limited: false,
        limit_reason: null,
        dropped_calls: 0,
        config: {},
        ...(parent ? { parent } : {}),
        trace: [],
      }),
    );
  const parent = (id: string, timestamp: string) => ({
    run: id,
    timestamp,
    call: null,
    kind: "process",
    pid: 1,
  });
  run("a", "2026-11-26T10:00:00.000Z");
  run("b", "2026-11-26T10:00:01.000Z");
  // b's children started after c, a later run of its own.
  run("c", "2026-11-26T10:00:02.000Z");
  run("b1", "2026-11-26T10:00:03.000Z", parent("b", "2026-11-26T10:00:01.000Z"));
  run("b2", "2026-11-26T10:00:04.000Z", parent("b", "2026-11-26T10:00:01.000Z"));
  // A grandchild is listed under the family's first run too.
  run("b11", "2026-11-26T10:00:05.000Z", parent("b1", "2026-11-26T10:00:01.000Z"));
  assert.deepEqual(listRuns(dir).entries.map((e) => e.id), ["c", "b", "b1", "b2", "b11", "a"]);
});
