// Every module shape a program meets (CommonJS, ESM, JSON, packages with and without "type", dual
// packages) must load under tph exactly as it does without it, on both runtimes, whether the file
// is traced or not. Each program in tests/fixtures/modules/app/ runs plainly and traced: stdout,
// stderr (less tph's own lines) and exit code must match, and the trace must hold the calls of the
// files in scope.

import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runPlain, type RuntimeName, runTraced, type TracedResult } from "../../_harness.ts";
import type { CallNodeJSON } from "../../../src/types.ts";

const APP = join(REPO, "tests/fixtures/modules/app");
const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
const ALL_PACKAGES = ["node_modules/**"];

/** Run `entry` plainly and traced; fail unless the program saw no difference. */
function same(
  rt: RuntimeName,
  entry: string,
  include: string[] = [],
): TracedResult {
  const file = join(APP, entry);
  const plain = runPlain(rt, file, { cwd: APP });
  const traced = runTraced(rt, file, {
    cwd: APP,
    include,
    limits: { maxCalls: 100_000 },
  });
  // Deno's process warnings name the process id: `(node:1234) Warning: …`.
  const own = (s: string) =>
    s.split("\n").filter((l) => !l.startsWith("tph:")).join("\n").replace(
      /\(node:\d+\)/g,
      "(node)",
    );
  const context = `${entry} on ${rt}\n--- plain stderr ---\n${plain.stderr}\n` +
    `--- traced stderr ---\n${traced.stderr}`;
  assert.equal(plain.code, 0, `the plain run must succeed: ${context}`);
  assert.equal(traced.stdout, plain.stdout, `stdout differs: ${context}`);
  assert.equal(
    own(traced.stderr),
    own(plain.stderr),
    `stderr differs: ${context}`,
  );
  assert.equal(traced.code, plain.code, `exit code differs: ${context}`);
  assert.ok(traced.trace !== null, `no trace written: ${context}`);
  return traced;
}

/** `module:name` of every recorded call, external ones marked `[ext]`. */
function calls(traced: TracedResult): Set<string> {
  const out = new Set<string>();
  const stack: CallNodeJSON[] = [...traced.trace!.trace];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.add(`${node.module}:${node.name}${node.external ? " [ext]" : ""}`);
    stack.push(...node.children);
  }
  return out;
}

function assertCalls(traced: TracedResult, expected: string[]): void {
  const got = calls(traced);
  for (const name of expected) {
    assert.ok(
      got.has(name),
      `${name} recorded; got:\n${[...got].sort().join("\n")}`,
    );
  }
}

function assertNoCallsIn(traced: TracedResult, prefix: string): void {
  const inside = [...calls(traced)].filter((c) => c.startsWith(prefix) && !c.endsWith("[ext]"));
  assert.deepEqual(inside, [], `nothing under ${prefix} is traced`);
}

for (const rt of RUNTIMES) {
  Deno.test(`${rt}: a CommonJS package out of scope loads as the runtime loads it`, () => {
    const traced = same(rt, "cjs_package.ts");
    assertNoCallsIn(traced, "node_modules/");
  });

  Deno.test(`${rt}: a CommonJS package traced with --include, its JSON loaded as JSON`, () => {
    const traced = same(rt, "cjs_package.ts", ALL_PACKAGES);
    assertCalls(traced, ["node_modules/cjspkg/index.js:greet"]);
  });

  Deno.test(`${rt}: require() of a traced CommonJS module with __esModule gives its exports`, () => {
    const traced = same(rt, "esmodule_interop.ts");
    assertCalls(traced, ["lib/b.cjs:Main"]);
  });

  Deno.test(`${rt}: CommonJS, scripts and ESM .js files keep the format the runtime gives them`, () => {
    const traced = same(rt, "module_format.ts");
    assertCalls(traced, [
      "lib/importance.js:rank",
      "lib/side_effect.js:mark",
      "lib/plain.mjs:kind",
      "lib/tla.js:compute",
    ]);
  });

  Deno.test(`${rt}: require() of JSON files and JSON imports, in scope and out`, () => {
    same(rt, "json_require.ts");
    same(rt, "json_require.ts", ALL_PACKAGES);
  });

  Deno.test(
    `${rt}: a package without "type" is traced with --include${
      rt === "deno" ? " (its ES modules only on Bun and Node; Deno says so once)" : ""
    }`,
    () => {
      const traced = same(rt, "notype_package.ts", ALL_PACKAGES);
      assertCalls(traced, ["node_modules/notype/index.js:shout"]);
      const warnings = traced.stderr.split("\n").filter((l) => l.startsWith("tph: warning:"));
      if (rt !== "deno") {
        assertCalls(traced, ["node_modules/notype_esm/index.js:outer"]);
        assertCalls(traced, ["node_modules/notype_esm/lib/inner.js:inner"]);
        assert.deepEqual(warnings, []);
      } else {
        // Deno loads them without calling the load hook (see untracedPackage in deno.ts).
        assertNoCallsIn(traced, "node_modules/notype_esm/");
        assert.deepEqual(warnings, [
          "tph: warning: node_modules/notype_esm is not traced: Deno does not pass the ES modules " +
          'of a package whose package.json has no "type" through loader hooks',
        ]);
      }
    },
  );

  // Bun's namespace of a CommonJS module tph runs is built by tph (src/program/loader/bun.ts,
  // namespaceOf): the same keys and values as Bun's own, with a package's "type" deciding how
  // `__esModule` is read; no "module.exports" key for an import.
  for (const include of [[], ALL_PACKAGES]) {
    Deno.test(`${rt}: the namespace of each shape of CommonJS module, include ${JSON.stringify(include)}`, () => {
      const traced = same(rt, "cjs_namespace_keys.ts", include);
      assertCalls(traced, ["lib/obj.cjs:module.exports.f"]);
      if (include.length > 0) {
        assertCalls(traced, ["node_modules/tscpkg/dist/index.js:Queue.add"]);
      }
    });
  }

  for (const include of [[], ALL_PACKAGES]) {
    Deno.test(`${rt}: every module shape together, include ${JSON.stringify(include)}`, () => {
      const traced = same(rt, "main.ts", include);
      assertCalls(traced, [
        "lib/fn.cjs:add",
        "lib/m.mjs:mjsFn",
        "lib/importance.js:rank",
        "lib/c.cjs:combine",
        "lib/d.cjs:value",
      ]);
      if (include.length === 0) assertNoCallsIn(traced, "node_modules/");
      else {
        assertCalls(traced, [
          "node_modules/cjspkg/index.js:greet",
          "node_modules/notype/index.js:shout",
          "node_modules/dual/dist/index.mjs:which",
          "node_modules/dual/dist/index.cjs:which",
          "node_modules/esmpkg/index.js:twice",
        ]);
      }
    });
  }
}
