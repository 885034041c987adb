// The files a traced process leaves beside its run (src/run_file/process_files.ts): what the
// program's process writes is what tph reads back, each read once and removed; a file not written
// reads as none; removing them never follows a link.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  isProcessTemp,
  leftFile,
  processRunName,
  removeLeft,
  takeLeft,
  takeLeftJSON,
  writeLeft,
} from "../../src/run_file/process_files.ts";
import { tempDir } from "./_cache.ts";

Deno.test("process files: what the program's process leaves is read back once, then gone", () => {
  const dir = tempDir();
  const name = processRunName(4242, "0a1b2c3d");
  assert.equal(name, ".run.4242.0a1b2c3d.tmp");
  assert.ok(isProcessTemp(name) && isProcessTemp(name + ".ending.json"));
  const out = join(dir, name);
  writeLeft(out, "ending", JSON.stringify({ ended: "exit", exit_code: 3 }));
  writeLeft(out, "error", "no space left on device\n");
  assert.deepEqual(readdirSync(dir).sort(), [name + ".ending.json", name + ".error"]);
  assert.deepEqual(takeLeftJSON(out, "ending"), { ended: "exit", exit_code: 3 });
  assert.equal(takeLeft(out, "error"), "no space left on device\n");
  assert.deepEqual(readdirSync(dir), []);
  // Not written, or cut short: none.
  assert.equal(takeLeft(out, "tests"), null);
  assert.equal(takeLeftJSON(out, "phases"), undefined);
  writeFileSync(leftFile(out, "phases"), '{"process": 1');
  assert.equal(takeLeftJSON(out, "phases"), undefined);
  assert.deepEqual(readdirSync(dir), []);
});

Deno.test("process files: removeLeft removes the run and what is beside it, never what a link points at", () => {
  const dir = tempDir();
  const outside = tempDir();
  const victim = join(outside, "precious.txt");
  writeFileSync(victim, "keep me");
  const out = join(dir, processRunName(1, "ffffffff"));
  writeFileSync(out, "run");
  for (const kind of ["ending", "phases", "error"] as const) writeLeft(out, kind, "x");
  symlinkSync(victim, leftFile(out, "tests"));
  writeFileSync(join(dir, "other.txt"), "not tph's");
  removeLeft(out);
  assert.deepEqual(readdirSync(dir), ["other.txt"]);
  assert.equal(readFileSync(victim, "utf8"), "keep me");
  // Nothing there: nothing to do.
  removeLeft(join(dir, "missing", "x"));
  assert.ok(existsSync(victim));
});
