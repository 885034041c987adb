// A compiled file's own source map: where its comment says it is, what is read (regular files
// only, links followed, a bounded size), and how the instrumenter places functions with it (an
// index map with sections too), and the transform cache key following the map.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapProblem, mapRefOf, ownMapOf } from "../../../src/program/loader/own_map.ts";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { cacheKey } from "../../../src/program/loader/transform.ts";

/** A temporary folder, removed after `fn`. */
function inTemp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tph-own-map-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// dist/add.js as tsc writes it from src/add.ts (two lines of types dropped before the function).
const CODE = "export function add(a, b) {\n  return a + b;\n}\n//# sourceMappingURL=add.js.map\n";
const MAP = JSON.stringify({
  version: 3,
  file: "add.js",
  sources: ["../src/add.ts"],
  names: [],
  // add → line 3 col 0; `return` → line 4 col 2.
  mappings: "AAEA,SAAgB,GAAG,CAAC,CAAS,EAAE,CAAS;IACzC,OAAO",
});

Deno.test("mapRefOf finds the map a file names at its end, and only a local file", () => {
  const at = (comment: string) => mapRefOf("/p/dist/a.js", `let a = 1;\n${comment}`);
  assert.deepEqual(at("//# sourceMappingURL=a.js.map\n"), {
    url: "a.js.map",
    path: "/p/dist/a.js.map",
  });
  assert.equal(at("//@ sourceMappingURL=../maps/a.map")?.path, "/p/maps/a.map");
  assert.equal(
    at("//# sourceMappingURL=file:///m/a.map\n// a comment after\n\n")?.path,
    "/m/a.map",
  );
  assert.equal(at("//# sourceMappingURL=data:application/json;base64,e30="), null);
  assert.equal(at("//# sourceMappingURL=https://example.com/a.map"), null);
  // Code after the comment: it is not the file's last word.
  assert.equal(at("//# sourceMappingURL=a.js.map\nlet b = 2;\n"), null);
  assert.equal(mapRefOf("/p/a.js", "let s = 'sourceMappingURL=x.map';\n"), null);
  assert.equal(
    mapRefOf("file:///p/dist/a.js", "//# sourceMappingURL=a.js.map")?.path,
    "/p/dist/a.js.map",
  );
});

Deno.test("mapProblem says what makes a map unusable", () => {
  assert.equal(mapProblem(MAP), null);
  assert.equal(mapProblem('{"version":3,"sections":[]}'), null);
  assert.equal(mapProblem("{ not json"), "is not JSON");
  assert.equal(mapProblem("[1]"), "is not a version 3 source map");
  assert.equal(mapProblem('{"version":2,"mappings":""}'), "is not a version 3 source map");
  assert.equal(mapProblem('{"version":3}'), "has no mappings");
  assert.equal(mapProblem("null"), "is not a source map");
});

Deno.test("ownMapOf reads a regular file or a link to one, never a FIFO, a folder or a huge file", () => {
  inTemp((dir) => {
    const file = join(dir, "add.js");
    const map = join(dir, "add.js.map");
    writeFileSync(map, MAP);
    const own = ownMapOf(file, CODE, "dist/add.js");
    assert.ok(own !== null);
    assert.equal(own.text()?.text, MAP);
    assert.equal(own.text()?.url, `file://${map}`);
    // A link to the map is followed.
    mkdirSync(join(dir, "maps"));
    writeFileSync(join(dir, "maps/real.map"), MAP);
    rmSync(map);
    symlinkSync(join(dir, "maps/real.map"), map);
    assert.equal(ownMapOf(file, CODE, "dist/add.js")?.text()?.text, MAP);
    // A FIFO is never opened (it would wait for a writer), a folder never read.
    rmSync(map);
    const fifo = spawnSync("mkfifo", [map]);
    if (fifo.status === 0) assert.equal(ownMapOf(file, CODE, "dist/add.js")?.text(), null);
    rmSync(map, { force: true });
    mkdirSync(map);
    assert.equal(ownMapOf(file, CODE, "dist/add.js")?.text(), null);
    rmSync(map, { recursive: true });
    // Past 64 MiB (a sparse file: nothing is written) it is left out.
    writeFileSync(map, "");
    truncateSync(map, 65 * 1024 * 1024);
    assert.equal(ownMapOf(file, CODE, "dist/add.js")?.text(), null);
    // Empty: nothing read (the kernel's files in /proc say they are empty; some never end).
    writeFileSync(map, "");
    assert.equal(ownMapOf(file, CODE, "dist/add.js")?.text(), null);
    const proc = ownMapOf(file, CODE.replace("add.js.map", "/proc/self/status"), "dist/add.js");
    assert.equal(proc?.text(), null);
    // Missing: no map, and the stamp says so.
    rmSync(map);
    const missing = ownMapOf(file, CODE, "dist/add.js");
    assert.equal(missing?.text(), null);
    assert.match(missing!.stamp, /\0-$/);
  });
});

Deno.test("the transform cache key follows the map beside the file", () => {
  inTemp((dir) => {
    const file = join(dir, "add.js");
    const map = join(dir, "add.js.map");
    writeFileSync(map, MAP);
    const options = { filename: file, module: "dist/add.js" };
    const first = cacheKey(CODE, options);
    assert.equal(cacheKey(CODE, options), first);
    writeFileSync(map, MAP.replace("../src/add.ts", "../lib/add.ts"));
    utimesSync(map, new Date(), new Date(Date.now() + 5000));
    assert.notEqual(cacheKey(CODE, options), first, "a changed map changes the key");
    assert.equal(
      cacheKey(CODE, { ...options, ownMaps: false }),
      cacheKey(CODE, { ...options, ownMaps: false }),
    );
  });
});

Deno.test("instrument places functions in the sources an index map's sections name", () => {
  // Two modules bundled on one line each, each section with its own map.
  const code = "function a(x){return x}\nfunction b(y){return y}\n";
  const section = (source: string, name: string) => ({
    version: 3,
    sources: [source],
    sourcesContent: [`// ${name}\nexport function ${name}Long(value: number) { return value; }\n`],
    names: [],
    // `function` → line 2 col 7; its name → col 16; its parameter → col 24.
    mappings: "AACO,SAAS,EAAQ",
  });
  const map = JSON.stringify({
    version: 3,
    sections: [
      { offset: { line: 0, column: 0 }, map: section("src/one.ts", "one") },
      { offset: { line: 1, column: 0 }, map: section("src/two.ts", "two") },
    ],
  });
  const result = instrument(code, {
    filename: "/p/out/bundle.js",
    module: "out/bundle.js",
    inputSourceMap: map,
    inputMapUrl: "file:///p/out/bundle.js.map",
  });
  assert.equal(result.error, null);
  assert.deepEqual(
    result.functions.map((f) => [f.qualname, f.file, f.line, f.column, f.params]),
    [
      ["oneLong", "/p/out/src/one.ts", 2, 8, ["value"]],
      ["twoLong", "/p/out/src/two.ts", 2, 8, ["value"]],
    ],
  );
  // The module table names each function's source and module.
  assert.match(
    result.code,
    /\[\["\/p\/out\/src\/one\.ts","\/p\/out\/src\/two\.ts"\],\["out\/src\/one\.ts","out\/src\/two\.ts"\],\[0,1\]\]/,
  );
});

Deno.test("instrument with a TypeScript transpiler's map keeps names as the code has them", () => {
  // A map from TypeScript to JavaScript (jest's, Deno's) renames nothing: `public` at a
  // parameter property's place is not the parameter's name.
  const code = "class P {\n  constructor(x) {\n    this.x = x;\n  }\n}\n";
  const map = JSON.stringify({
    version: 3,
    sources: ["/p/p.ts"],
    sourcesContent: ["class P {\n  constructor(public x: number) {}\n}\n"],
    names: [],
    mappings: "AAAA,MAAM;EACJ,YAAY,CAAiB",
  });
  const result = instrument(code, {
    filename: "/p/p.ts",
    lang: "ts",
    inputSourceMap: JSON.parse(map),
  });
  assert.deepEqual(result.functions.map((f) => f.params), [["x"]]);
});

Deno.test("a minified function's name is read where the map places it, before the map's names", () => {
  // esbuild names a class it renamed for bundling by its own name (`__Lexer` for `_Lexer`): the
  // text written at that place is the name as written; `names` serve when the map has no text.
  const code = "function n(e){return e}\n";
  const map = (content: boolean) =>
    JSON.stringify({
      version: 3,
      sources: ["src/d.ts"],
      ...(content ? { sourcesContent: ["function discount(total) { return total; }\n"] } : {}),
      names: ["__discount"],
      mappings: "AAAA,SAASA,EAAS",
    });
  const names = (content: boolean) =>
    instrument(code, {
      filename: "/p/out/d.js",
      module: "out/d.js",
      inputSourceMap: map(content),
      inputMapUrl: "file:///p/out/d.js.map",
    }).functions.map((f) => [f.qualname, f.params]);
  assert.deepEqual(names(true), [["discount", ["total"]]]);
  assert.deepEqual(names(false), [["__discount", ["e"]]]);
});

Deno.test("a minified method assigned to a prototype is named through the map, as a declaration is", () => {
  // uglify-js with its properties mangled writes `n.prototype.u = function…` and folds an
  // assignment of the prototype into the next (`(t.prototype = new n).u = function…`).
  const source = [
    "export function Signal(value) { this._value = value; }",
    "Signal.prototype._refresh = function () { return true; };",
    "Signal.prototype.peek = function () { return this._refresh() && this._value; };",
    "export function Computed(fn) { Signal.call(this, undefined); this._fn = fn; }",
    "Computed.prototype = new Signal();",
    "Computed.prototype._refresh = function () { this._value = this._fn(); return true; };",
    "",
  ].join("\n");
  inTemp((dir) => {
    writeFileSync(join(dir, "signal.js"), source);
    const uglify = spawnSync(
      "node_modules/node24/bin/node",
      [
        "node_modules/uglify-js/bin/uglifyjs",
        join(dir, "signal.js"),
        "--module",
        "--compress",
        "--mangle",
        "--mangle-props",
        "regex=/^_/",
        "--source-map",
        "includeSources,url=signal.min.js.map",
        "-o",
        join(dir, "signal.min.js"),
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(uglify.status, 0, uglify.stderr);
    const code = readFileSync(join(dir, "signal.min.js"), "utf8");
    assert.match(code, /\.prototype\.[a-z]=function/, "minified, properties mangled");
    assert.match(code, /\(\w\.prototype=new \w\)\.\w=function/, "the assignments folded");
    const { functions } = instrument(code, {
      filename: join(dir, "signal.min.js"),
      inputSourceMap: readFileSync(join(dir, "signal.min.js.map"), "utf8"),
      inputMapUrl: `file://${dir}/signal.min.js.map`,
    });
    assert.deepEqual(functions.map((f) => f.qualname).sort(), [
      "Computed",
      "Computed.prototype._refresh",
      "Signal",
      "Signal.prototype._refresh",
      "Signal.prototype.peek",
    ]);
  });
});
