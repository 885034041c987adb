// A .js file without import or export is a CommonJS module or a plain script by what it uses, and
// each runtime decides by its own rules (Bun by CommonJS's names used as free names; Node by the
// package's "type" and its syntax): under tph a file must run in the format it runs in plainly —
// strict or sloppy, with `module` and `require` or without. Each case in a file of its own, all
// imported by one program, run plainly and traced on every runtime; on Bun twice more through the
// transform cache (a fresh entry, then a re-run from it).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPlain, type RuntimeName, runTraced } from "../../_harness.ts";

/** Each case's code; it then prints its name and whether it runs strict. */
const CASES: Record<string, string> = {
  comment: "// this module does not require anything, nor set exports",
  string: 'const s = "module.exports = require(__dirname)"; void s;',
  key: "const o = { module: 1, require: 2, exports: 3 }; void o;",
  property: "const o = {}; o.exports = 1; o.module = 2; o.require = 3;",
  local: "const module = { exports: {} }; module.exports.x = 1;",
  var_module: "var module = { exports: {} }; module.exports.x = 1;",
  var_exports: "var exports = {}; exports.x = 1;",
  var_module_bare: "var module; void [module];",
  var_require: 'var require = function () { return 1; }; require("x");',
  inner_var_module: "function f() { var module = {}; return module.id; } f();",
  param: "function f(module, exports) { exports.x = module; } f({}, {});",
  shadowed_call: "function h(require) { return require('x'); } h(() => 0);",
  block_let: "{ const require = () => 0; require('x'); }",
  catch_param: "try { throw {} } catch (module) { module.exports = 1; }",
  label: "module: for (;;) break module;",
  typeof_module: 'if (typeof module !== "undefined") {}',
  typeof_require: 'if (typeof require === "function") {}',
  typeof_dirname: "void (typeof __dirname);",
  typeof_used: "const u = typeof module; void u;",
  typeof_returned: "function kind() { return typeof module; } kind();",
  typeof_if: 'if (typeof exports === "object") globalThis.sawExports = true;',
  bare_module: "module;",
  void_require: "void require;",
  module_exports: "module.exports = { a: 1 };",
  exports_dot: "exports.a = 1;",
  require_call: 'try { require("node:path"); } catch {}',
  require_inner: 'function k() { require("node:path"); } void k;',
  require_value: "const r = require; void r;",
  dirname: "void __dirname;",
  filename_inner: "function e() { return __filename; } void e;",
  module_in_array: "const z = [module]; void z;",
  umd: "(function (root, factory) { if (typeof module === 'object' && module.exports) " +
    "module.exports = factory(); else root.x = factory(); })(this, function () { return 1; });",
  default_value: 'function d(p = require("node:path")) { return p; } void d;',
  arrow_body: "const g = () => module.id; void g;",
};

/** TypeScript cases (not on Node, which runs no TypeScript from a package's own folder). */
const TS_CASES: Record<string, string> = {
  ts_comment: "// a module's types\nconst n: number = 1; void n;",
  ts_exports: "exports.n = 1 as number;",
  ts_local: "const require = (s: string): number => s.length; require('x');",
};

/**
 * Cases in a folder whose package.json says `"type": "commonjs"` (Bun then takes a script for
 * CommonJS whatever names it uses, an imported .mjs file too); the first is the events package's
 * own test file's opening.
 */
const COMMONJS_PACKAGE: Record<string, string> = {
  "cjs/redeclared.js": 'var fs = require("node:fs"); var orig = require;\n' +
    "var require = function (f) { return orig(f); }; void fs;",
  "cjs/plain.js": "// no names at all",
  "cjs/plain.mjs": "// no names at all",
  "cjs/typed.ts": "const n: number = 1; void n;",
};

function main(names: string[]): string {
  return names.map((n) =>
    `try { await import("./cases/${n}"); } catch (e) { console.log("${n}", "threw", e.name); }`
  ).join("\n") + "\n";
}

function project(rt: RuntimeName): string {
  const dir = mkdtempSync(join(tmpdir(), "tph-scripts-"));
  writeFileSync(join(dir, "package.json"), '{ "name": "scripts" }\n');
  mkdirSync(join(dir, "cases"));
  const cases = Object.entries(CASES).map(([n, code]) => [`${n}.js`, code]);
  if (rt !== "node") cases.push(...Object.entries(TS_CASES).map(([n, code]) => [`${n}.ts`, code]));
  mkdirSync(join(dir, "cases", "cjs"));
  writeFileSync(join(dir, "cases", "cjs", "package.json"), '{ "type": "commonjs" }\n');
  cases.push(
    ...Object.entries(COMMONJS_PACKAGE).filter(([n]) => rt !== "node" || !n.endsWith(".ts")),
  );
  for (const [name, code] of cases) {
    writeFileSync(
      join(dir, "cases", name),
      `${code}\nconsole.log(${JSON.stringify(name)}, ` +
        `(function () { return this; })() === undefined ? "strict" : "sloppy");\n`,
    );
  }
  writeFileSync(join(dir, "main.mjs"), main(cases.map(([n]) => n)));
  return dir;
}

for (const rt of ["bun", "node", "deno"] as RuntimeName[]) {
  Deno.test(`a file without module syntax runs in the format it has plainly, a script or CommonJS (${rt})`, () => {
    const dir = project(rt);
    try {
      const main = join(dir, "main.mjs");
      const plain = runPlain(rt, main, { cwd: dir });
      assert.equal(plain.code, 0, plain.stderr);
      const lines = plain.stdout.trim().split("\n");
      const count = Object.keys(CASES).length + Object.keys(COMMONJS_PACKAGE).length +
        (rt === "node" ? -1 : Object.keys(TS_CASES).length);
      assert.equal(lines.length, count, plain.stdout);
      const cache = join(dir, ".cache");
      const runs = rt === "bun" ? [null, cache, cache] : [null];
      for (const transformCacheDir of runs) {
        const traced = runTraced(rt, main, { cwd: dir, transformCacheDir });
        assert.equal(traced.stdout, plain.stdout, `${rt}, cache ${transformCacheDir}`);
        assert.equal(traced.code, 0, traced.stderr);
        assert.ok(traced.trace !== null && traced.trace.trace.length > 0, "calls recorded");
      }
      if (rt === "bun") {
        // The cases are worth having: Bun runs some of them strict and some sloppy.
        assert.match(plain.stdout, /^comment\.js strict$/m);
        assert.match(plain.stdout, /^module_exports\.js sloppy$/m);
        assert.match(plain.stdout, /^cjs\/plain\.js sloppy$/m);
        assert.match(plain.stdout, /^cjs\/plain\.mjs sloppy$/m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
