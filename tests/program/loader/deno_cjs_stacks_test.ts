// Stack positions of CommonJS modules on Deno under tph (src/program/loader/deno_cjs_maps.ts):
// programs that die of an uncaught error while a CommonJS module loads (the main module in .cjs,
// .cts and a .js file of a "type": "commonjs" package, one an ES module imports, a .cts file an ES
// module requires) print the same report plainly and traced: every frame's line and column, the
// frame of the ES module Deno makes to run the module, and the excerpt with its caret.
//
// Deno's own frames of module loading are left out of the comparison: under a load hook its
// Module.load compiles the module itself, where without one it calls the extension's loader.

import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runPlain, runTraced } from "../../_harness.ts";

const DIR = join(REPO, "tests/fixtures/modules/cjs_stacks");

/** A report without the frames of Deno's module loader. */
function withoutLoader(text: string): string {
  return text.split("\n").filter((l) => !/\(node:module:\d+:\d+\)$/.test(l)).join("\n");
}

const CASES: [string, string][] = [
  ["main.cjs", "main.cjs:3:37"],
  ["main_ts.cts", "main_ts.cts:4:55"],
  ["pkg/main.js", "main.js:3:37"],
  ["imports.mjs", "dies.cjs:3:37"],
  ["requires.mjs", "dies_ts.cts"],
];

for (const [program, thrown] of CASES) {
  Deno.test(`Deno: a CommonJS module's uncaught error, traced as plainly (${program})`, () => {
    const file = join(DIR, program);
    const plain = runPlain("deno", file, { cwd: DIR });
    const traced = runTraced("deno", file, { cwd: DIR });
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /^error: Uncaught/);
    assert.ok(plain.stderr.includes(thrown), plain.stderr);
    // The excerpt and its caret under the line that threw.
    assert.match(plain.stderr, /\{ \(?null(?: as any\))?\.foo; \} \}.*\n\s+\^\n/);
    assert.equal(traced.code, plain.code, traced.stderr);
    assert.equal(traced.stdout, plain.stdout);
    assert.equal(withoutLoader(traced.stderr), withoutLoader(plain.stderr));
    assert.ok(traced.trace !== null && traced.trace.call_count > 0, "nothing traced");
  });
}
