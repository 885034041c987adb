// A program that breaks what Node's lazy stdio needs (a replaced Function.prototype.call: making
// process.stdout or process.stderr then throws) and dies of an uncaught error: tph prints Node's
// report as the plain run does, the program's own line in it, never tph's rewritten code.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_TARGET as t, plain, tempDir, tph } from "./_cli.ts";

const PROGRAM = `function work(n) { return n * 2; }
work(2);
Function.prototype.call = function () { throw new Error("call"); };
console.log("never printed");
`;

Deno.test("tph run on Node: a program that broke Node's stdio dies with the plain run's report", async () => {
  await using dir = tempDir();
  writeFileSync(join(dir.path, "broken.mjs"), PROGRAM);
  const [p, r] = await Promise.all([
    plain(t, "broken.mjs", [], { cwd: dir.path }),
    tph(t, ["run", "--cache-dir", join(dir.path, "cache"), "broken.mjs"], { cwd: dir.path }),
  ]);
  assert.equal(r.code, p.code);
  assert.notEqual(p.code, 0);
  const traced = r.stderr.split("\n").filter((l) => !l.startsWith("tph: ")).join("\n");
  assert.equal(traced, p.stderr);
  assert.doesNotMatch(r.stderr, /__tph/);
});
