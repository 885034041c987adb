import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRun, validateRun } from "../../src/run_file/json_run.ts";
import { StoreError } from "../../src/run_file/store_error.ts";
import { RUN_FIXTURES, tempDir } from "./_cache.ts";

Deno.test("loadRun() reads a run file", () => {
  const run = loadRun(join(RUN_FIXTURES, "run_20261120T091500_042_checkout_a1b2c3.json"));
  assert.equal(run.call_count, 10);
  assert.equal(run.trace[0].name, "main");
});

Deno.test("loadRun() names a missing file, relative to cwd when inside it", () => {
  const dir = tempDir();
  assert.throws(
    () => loadRun(join(dir, "sub", "gone.json"), { cwd: dir }),
    new StoreError('Cannot read run "sub/gone.json": file not found'),
  );
  assert.throws(() => loadRun("/nowhere/gone.json", { cwd: dir }), {
    message: 'Cannot read run "/nowhere/gone.json": file not found',
  });
  mkdirSync(join(dir, "folder.json"));
  assert.throws(() => loadRun(join(dir, "folder.json"), { cwd: dir }), {
    message: 'Cannot read run "folder.json": it is a folder',
  });
});

Deno.test("loadRun() reports invalid JSON naming the file", () => {
  assert.throws(
    () =>
      loadRun(join(RUN_FIXTURES, "run_20261121T120000_000_broken_dead00.json"), {
        cwd: RUN_FIXTURES,
      }),
    (e: Error) => {
      assert.ok(e instanceof StoreError);
      assert.match(
        e.message,
        /^Cannot read run "run_20261121T120000_000_broken_dead00\.json": invalid JSON \(.+\)$/,
      );
      return true;
    },
  );
  const dir = tempDir();
  writeFileSync(join(dir, "empty.json"), "\n");
  assert.throws(() => loadRun(join(dir, "empty.json"), { cwd: dir }), {
    message: 'Cannot read run "empty.json": invalid JSON (the file is empty)',
  });
});

Deno.test("loadRun() refuses foreign JSON as not a tph run", () => {
  assert.throws(() => loadRun(join(RUN_FIXTURES, "settings.json"), { cwd: RUN_FIXTURES }), {
    message:
      'Cannot read run "settings.json": not a tph run (no "schema", "timestamp", "call_count", "trace")',
  });
  assert.throws(() => validateRun([1, 2], "a.json"), {
    message: 'Cannot read run "a.json": not a tph run (the file holds array, not an object)',
  });
  assert.throws(() => validateRun({ schema: 1, timestamp: "t", call_count: 1 }, "b.json"), {
    message: 'Cannot read run "b.json": not a tph run (no "trace")',
  });
});

Deno.test("loadRun() refuses a run written by a newer schema, naming the version", () => {
  assert.throws(
    () =>
      loadRun(join(RUN_FIXTURES, "run_20261122T000000_000_future_beef00.json"), {
        cwd: RUN_FIXTURES,
      }),
    {
      message:
        'Cannot read run "run_20261122T000000_000_future_beef00.json": written by schema 7, ' +
        "this tph reads up to 1; upgrade tph",
    },
  );
});

Deno.test("validateRun() points at the first malformed call", () => {
  const call = (name: string, children: unknown[] = []) => ({
    name,
    module: "m",
    file: "m.ts",
    line: 1,
    args: { x: "1" },
    return_value: null,
    start_ms: 0,
    elapsed_ms: 1,
    children,
  });
  const run = {
    schema: 1,
    timestamp: "2026-11-22T08:15:02.123Z",
    call_count: 2,
    trace: [call("a", [call("b"), { children: [] }])],
  };
  assert.throws(() => validateRun(run, "c.json"), {
    message: 'Cannot read run "c.json": not a tph run (trace[0].children[1] has no "name")',
  });
  run.trace[0].children[1] = { name: "c" } as never;
  assert.throws(
    () => validateRun(run, "c.json"),
    /trace\[0\]\.children\[1\] has no "children" list/,
  );
  // Every field a reader uses has the format's type.
  run.trace[0].children[1] = { ...call("c"), start_ms: "0" } as never;
  assert.throws(() => validateRun(run, "c.json"), {
    message:
      'Cannot read run "c.json": not a tph run (trace[0].children[1]: "start_ms" is string, ' +
      "not number)",
  });
  run.trace[0].children[1] = { ...call("c"), args: { x: null } } as never;
  assert.throws(
    () => validateRun(run, "c.json"),
    /trace\[0\]\.children\[1\]: "args" is not an object of texts/,
  );
  run.trace[0].children[1] = call("c") as never;
  validateRun(run, "c.json");
});
