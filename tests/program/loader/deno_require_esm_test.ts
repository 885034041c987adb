// require() of an ES module that imports files, on Deno under tph (src/program/loader/deno_require.ts).
//
// The first tests document the Deno behaviour tph works around (checked with deno 2.9.6): once any
// registerHooks load hook gives require() an ES module's source, even unchanged, the module's
// imports of files fail ("Cannot resolve module"); and a file a resolve hook resolved for require()
// is run from its source even when no load hook gave one. When they fail, Deno has fixed it: the
// workaround can go (or, for the second, forgetHookResolution can).
//
// The others run programs that chain ES modules and CommonJS through require() and import, chosen
// by export conditions ("module-sync", "import", "require", "default", nested; package "exports"
// and "imports"), plainly and traced: same output, same modules run in the same order.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { join } from "node:path";
import {
  BIN,
  REPO,
  runPlain,
  type RuntimeName,
  runTraced,
  type TracedResult,
} from "../../_harness.ts";
import type { CallNodeJSON } from "../../../src/types.ts";
import {
  compilesAsCommonJS,
  importsFiles,
  needsOwnLoading,
  requireKind,
} from "../../../src/program/loader/deno_require.ts";

const DIR = join(REPO, "tests/fixtures/modules/require_esm");
const PROGRAM = join(DIR, "main.cjs");
const CHAINS = join(REPO, "tests/fixtures/modules/esm_cjs");

function run(hook: string, file: string) {
  return spawnSync(BIN.deno, ["run", "-A", PROGRAM], {
    cwd: DIR,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", HOOK: hook, FILE: file },
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
}

Deno.test("Deno still fails require() of an ES module importing CommonJS under a load hook", () => {
  const plain = run("0", "./esm.mjs");
  assert.equal(plain.stdout, "from commonjs\n", plain.stderr);
  const hooked = run("1", "./esm.mjs");
  assert.notEqual(
    hooked.status,
    0,
    "Deno now runs it under a load hook: the hand-back in src/program/loader/deno_require.ts " +
      "can go, and this test",
  );
  assert.match(hooked.stderr, /Cannot resolve module "\.\/dep\.cjs"/);
});

Deno.test("Deno still runs a .js ES module that a resolve hook resolved for require() from source", () => {
  assert.equal(run("handback", "./esm.mjs").stdout, "from commonjs\n");
  const plain = run("0", "./typemod/esm.js");
  assert.equal(plain.stdout, "from commonjs\n", plain.stderr);
  const hooked = run("handback", "./typemod/esm.js");
  assert.notEqual(
    hooked.status,
    0,
    "Deno now loads it: forgetHookResolution in src/program/loader/deno_require.ts can go",
  );
  assert.match(hooked.stderr, /Cannot resolve module "\.\.\/dep\.cjs"/);
});

/** `module:name` of every recorded call that is not external. */
function calls(traced: TracedResult): Set<string> {
  const out = new Set<string>();
  const stack: CallNodeJSON[] = [...(traced.trace?.trace ?? [])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!node.external) out.add(`${node.module}:${node.name}`);
    stack.push(...node.children);
  }
  return out;
}

/** Run `entry` plainly and traced; fail unless the program saw no difference. */
function same(
  rt: RuntimeName,
  dir: string,
  entry: string,
  include: string[],
  unordered: RegExp | null = null,
): TracedResult {
  const file = join(dir, entry);
  const plain = runPlain(rt, file, { cwd: dir });
  const traced = runTraced(rt, file, { cwd: dir, include, limits: { maxCalls: 100_000 } });
  if (unordered !== null) {
    const keep = (s: string) => s.split("\n").filter((l) => !unordered.test(l)).join("\n");
    plain.stdout = keep(plain.stdout);
    traced.stdout = keep(traced.stdout);
  }
  const own = (s: string) => s.split("\n").filter((l) => !l.startsWith("tph:")).join("\n");
  const context = `${entry} on ${rt}, include ${JSON.stringify(include)}\n--- plain ---\n` +
    `${plain.stdout}${plain.stderr}\n--- traced ---\n${traced.stdout}${traced.stderr}`;
  assert.equal(plain.code, 0, `the plain run must succeed: ${context}`);
  assert.equal(traced.stdout, plain.stdout, `stdout differs: ${context}`);
  assert.equal(own(traced.stderr), own(plain.stderr), `stderr differs: ${context}`);
  assert.equal(traced.code, plain.code, `exit code differs: ${context}`);
  assert.ok(traced.trace !== null, `no trace written: ${context}`);
  return traced;
}

function assertCalls(traced: TracedResult, expected: string[], absent: string[] = []): void {
  const got = calls(traced);
  const list = [...got].sort().join("\n");
  for (const name of expected) assert.ok(got.has(name), `${name} recorded; got:\n${list}`);
  for (const name of absent) assert.ok(!got.has(name), `${name} not recorded; got:\n${list}`);
}

const PACKAGES = ["node_modules/**"];

for (const rt of ["deno", "bun"] as RuntimeName[]) {
  for (const include of [[], PACKAGES]) {
    const inc = include.length === 0 ? "node_modules out of scope" : "node_modules traced";
    Deno.test(`${rt}: require() of an ES module importing CommonJS (${inc})`, () => {
      same(rt, DIR, "main.cjs", include);
    });

    Deno.test(`${rt}: require() chains of ESM and CommonJS chosen by conditions (${inc})`, () => {
      const traced = same(rt, CHAINS, "require_main.cjs", include);
      // CommonJS files are traced wherever they are; an ES module require() loads is traced on
      // Deno only when it imports nothing but built-ins (deno_require.ts).
      assertCalls(traced, ["lib/d.cjs:leaf", "lib/b.cjs:viaB", "lib/self.mjs:alone"]);
      if (include.length > 0) {
        assertCalls(traced, [
          "node_modules/nested/req.cjs:tag",
          "node_modules/user/index.js:describe",
        ]);
      } else assertCalls(traced, [], ["node_modules/nested/req.cjs:tag"]);
    });

    Deno.test(`${rt}: import of packages that require() ESM importing CommonJS (${inc})`, () => {
      // Bun runs the CommonJS modules an ES module imports in an order that varies from run to
      // run without tph: there the order line is left out.
      const traced = same(rt, CHAINS, "import_main.mjs", include, rt === "bun" ? /^order:/ : null);
      assertCalls(traced, ["lib/d.cjs:leaf", "lib/a.mjs:viaA"]);
      if (include.length > 0) {
        assertCalls(traced, [
          "node_modules/deep/index.js:deep",
          "node_modules/nested/esm.mjs:pick",
        ]);
      }
    });
  }
}

Deno.test("deno_require: which files require() must load itself", () => {
  assert.equal(
    importsFiles(`import { x } from "node:fs"; import "fs"; export * from "path";`),
    false,
  );
  assert.equal(importsFiles(`import("./dyn.js"); export const a = 1; // import it`), false);
  for (
    const text of [
      `import x from "./x.cjs";`,
      `import"./side.js"`,
      `export * from 'pkg';`,
      `export { a } from "../a.mjs"`,
      `import x from /* c */ "./x.js"`,
      "import {\n  a,\n} from // c\n 'a'",
      `import x from "npm:chalk"`,
      `import j from "./d.json" with { type: "json" }`,
    ]
  ) assert.equal(importsFiles(text), true, text);

  assert.equal(compilesAsCommonJS("#!/usr/bin/env node\nmodule.exports = 1; return;"), true);
  assert.equal(compilesAsCommonJS(`import x from "./x.js"`), false);
  assert.equal(compilesAsCommonJS("export const a = 1;"), false);

  const packages = new Map();
  assert.equal(requireKind(join(CHAINS, "lib/a.mjs"), packages), "module");
  assert.equal(requireKind(join(CHAINS, "lib/d.cjs"), packages), "commonjs");
  assert.equal(requireKind(join(CHAINS, "lib/typemod/x.js"), packages), "module");
  assert.equal(requireKind(join(CHAINS, "lib/ts_esm.ts"), packages), "maybe");

  assert.equal(needsOwnLoading("module", `import d from "./d.cjs";`), true);
  assert.equal(needsOwnLoading("module", `import p from "node:path"; export default p;`), false);
  assert.equal(needsOwnLoading("maybe", `import d from "./d.cjs";`), true);
  // Compiles as CommonJS: the import is in a string, Deno runs it as CommonJS.
  assert.equal(needsOwnLoading("maybe", `module.exports = 'import d from "./d.cjs"';`), false);
  assert.equal(needsOwnLoading("commonjs", `import d from "./d.cjs";`), false);
});
