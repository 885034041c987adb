// Documents a Deno behaviour that tph cannot work around (checked with deno 2.9.6): once any
// registerHooks load hook is installed, even one that changes nothing, require() of an ES module
// that imports a CommonJS file fails ("Cannot resolve module"); so it does under `tph run` on
// Deno (docs/compatibility.md, Limitations). When the first test below fails, Deno has fixed it:
// drop the limitation, this test, and the known-bug test after it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { join } from "node:path";
import { BIN, REPO, runPlain, runTraced } from "../_harness.ts";

const DIR = join(REPO, "tests/fixtures/modules/require_esm");
const PROGRAM = join(DIR, "main.cjs");
const SKIP_KNOWN_BUGS = process.env.TPH_KNOWN_BUGS !== "1";

function run(hook: boolean) {
  return spawnSync(BIN.deno, ["run", "-A", PROGRAM], {
    cwd: DIR,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", HOOK: hook ? "1" : "0" },
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
}

Deno.test("Deno still fails require() of an ES module importing CommonJS under a load hook", () => {
  const plain = run(false);
  assert.equal(plain.stdout, "from commonjs\n", plain.stderr);
  const hooked = run(true);
  assert.notEqual(
    hooked.status,
    0,
    "Deno now runs it under a load hook: drop the limitation (docs/compatibility.md, README) " +
      "and this file's tests",
  );
  assert.match(hooked.stderr, /Cannot resolve module "\.\/dep\.cjs"/);
});

Deno.test({
  name: "tph run: require() of an ES module importing CommonJS, as without tph (deno)",
  ignore: SKIP_KNOWN_BUGS,
  fn: () => {
    const plain = runPlain("deno", PROGRAM, { cwd: DIR });
    const traced = runTraced("deno", PROGRAM, { cwd: DIR });
    assert.equal(traced.stdout, plain.stdout, traced.stderr);
    assert.equal(traced.code, plain.code);
  },
});
