// Unit tests of instrument(): the metadata of every function form, line preservation on every
// fixture, what must stay in front (hashbang, directives) and at the end (source map comment),
// sources that do not parse, and positions mapped back through an input source map (a hand-made
// one, and the real one in the JavaScript Deno's loader hands tph for each TypeScript fixture).

import assert from "node:assert/strict";
import process from "node:process";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument, type InstrumentResult } from "../../../src/program/instrument/instrument.ts";
import { oxc, sourcemapCodec } from "../../../src/deps.ts";
import type { FunctionInfo } from "../../../src/types.ts";
import { BIN, REPO } from "../../_harness.ts";

const SPEC = join(REPO, "tests/fixtures/instrument");
const SKIP_KNOWN_BUGS = process.env.TPH_KNOWN_BUGS !== "1";

/** Every JavaScript/TypeScript file under a folder. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(?:[cm]?[jt]s|[jt]sx)$/.test(name)) out.push(path);
  }
  return out;
}

/** Whether `inner`'s characters all occur in `outer`, in order. */
function isSubsequence(inner: string, outer: string): boolean {
  let j = 0;
  for (let i = 0; i < outer.length && j < inner.length; i++) if (outer[i] === inner[j]) j++;
  return j === inner.length;
}

/** Line terminators as JavaScript counts them. */
function lineBreaks(text: string): number {
  return text.match(/\r\n|[\n\r\u2028\u2029]/g)?.length ?? 0;
}

type Row = [string, string, string, string, boolean, boolean, boolean, string[]];
/** name, qualname, kind, line:column, async, generator, static, params. */
function rows(functions: FunctionInfo[]): Row[] {
  return functions.map((f) => [
    f.name,
    f.qualname,
    f.kind,
    `${f.line}:${f.column}`,
    f.async,
    f.generator,
    f.static,
    f.params,
  ]);
}

function parses(code: string, filename: string): string[] {
  const lang = /\.tsx$/.test(filename)
    ? "tsx"
    : /\.[cm]?ts$/.test(filename)
    ? "ts"
    : /\.jsx$/.test(filename)
    ? "jsx"
    : "js";
  // deno-lint-ignore no-explicit-any
  const r = oxc().parseSync(filename, code, { lang } as any);
  return r.errors.map((e: { message: string }) => e.message);
}

const FORMS = `export function decl(a, b = 1, ...rest) {}
const expr = function () {};
const named = function inner() {};
const arrow = async ({ x, y: [z] }, ...more) => x;
let assigned;
assigned = () => {};
obj.prop.deep = function () {};
const o = {
  m() {},
  get g() { return 1; },
  set g(v) {},
  f: () => 1,
  "str key"() {},
  [k]() {},
  *gen() {},
  async am() {},
  nested: { n() {} },
};
class A {
  constructor(p) {}
  method() {}
  static sm() {}
  #priv() {}
  get x() { return 1; }
  set x(v) {}
  static async *sag() {}
  field = () => 1;
  static { [0].forEach(function () {}); }
}
export default function () {}
[1].map((v) => v);
module.exports.run = async function* () {};
`;

Deno.test("instrument: names, kinds, flags, positions and params of every form", () => {
  const r = instrument(FORMS, { filename: "forms.js" });
  assert.equal(r.error, null);
  const got = rows(r.functions);
  // The short `name` of functions named by a member assignment or a class field is checked in
  // the known-bug test below ("-" here); their qualified names here.
  const dotted = new Set(["obj.prop.deep", "A.field", "module.exports.run"]);
  for (const row of got) if (dotted.has(row[1])) row[0] = "-";
  const F = false, T = true;
  const expected: Row[] = [
    ["decl", "decl", "function", "1:8", F, F, F, ["a", "b", "...rest"]],
    ["expr", "expr", "function", "2:14", F, F, F, []],
    ["inner", "inner", "function", "3:15", F, F, F, []],
    ["arrow", "arrow", "arrow", "4:15", T, F, F, ["x", "z", "...more"]],
    ["assigned", "assigned", "arrow", "6:12", F, F, F, []],
    ["-", "obj.prop.deep", "function", "7:17", F, F, F, []],
    ["m", "o.m", "method", "9:3", F, F, F, []],
    ["get g", "get o.g", "getter", "10:7", F, F, F, []],
    ["set g", "set o.g", "setter", "11:7", F, F, F, ["v"]],
    ["f", "o.f", "arrow", "12:3", F, F, F, []],
    ["str key", "o.str key", "method", "13:3", F, F, F, []],
    ["[k]", "o.[k]", "method", "14:4", F, F, F, []],
    ["gen", "o.gen", "method", "15:4", F, T, F, []],
    ["am", "o.am", "method", "16:9", T, F, F, []],
    ["n", "o.nested.n", "method", "17:13", F, F, F, []],
    ["constructor", "A.constructor", "constructor", "20:3", F, F, F, ["p"]],
    ["method", "A.method", "method", "21:3", F, F, F, []],
    ["sm", "A.sm", "method", "22:10", F, F, T, []],
    ["#priv", "A.#priv", "method", "23:3", F, F, F, []],
    ["get x", "get A.x", "getter", "24:7", F, F, F, []],
    ["set x", "set A.x", "setter", "25:7", F, F, F, ["v"]],
    ["sag", "A.sag", "method", "26:17", T, T, T, []],
    ["-", "A.field", "arrow", "27:11", F, F, F, []],
    ["forEach callback", "forEach callback", "function", "28:24", F, F, F, []],
    ["default", "default", "function", "30:16", F, F, F, []],
    ["map callback", "map callback", "arrow", "31:9", F, F, F, ["v"]],
    ["-", "module.exports.run", "function", "32:22", T, T, F, []],
  ];
  assert.deepEqual(got, expected);
  for (const f of r.functions) {
    assert.equal(f.id, `${f.line}:${f.column}`);
    assert.equal(f.file, "forms.js");
  }
});

Deno.test({
  name: "instrument: short names and source order (known bug)",
  // Known bug: a function named by a member assignment or a class field gets the whole dotted
  // path as its short name (`obj.prop.deep`, `A.field`, where FunctionInfo.name promises `deep`,
  // `field`), and a function in a parameter default is listed before the function whose
  // parameter it is (`functions` promises source order).
  ignore: SKIP_KNOWN_BUGS,
  fn() {
    const r = instrument(
      "obj.prop.deep = function () {};\nclass A { field = () => 1; }\nfunction f(g = () => 1) {}\n",
      { filename: "names.js" },
    );
    assert.deepEqual(r.functions.map((f) => [f.name, f.qualname]), [
      ["deep", "obj.prop.deep"],
      ["field", "A.field"],
      ["f", "f"],
      ["g", "g"],
    ]);
  },
});

Deno.test("instrument: TypeScript signatures without bodies are not functions", () => {
  const src = `interface I { m(): void; f: (x: number) => number }
type T = { g(): string; new (): T };
declare function ambient(x: number): void;
declare class Ghost { haunt(): void }
declare namespace N { function inner(): void }
function over(x: string): string;
function over(x: number): number;
function over(x: unknown) { return x; }
abstract class Base {
  abstract area(): number;
  protected abstract get size(): number;
  describe(this: Base, prefix?: string) { return prefix + String(this.area()); }
}
class P extends Base {
  constructor(private readonly w: number, public h = 2) { super(); }
  area() { return this.w * this.h; }
  protected get size() { return 1; }
}
export const id = <T,>(v: T): T => v;
`;
  const r = instrument(src, { filename: "sigs.ts" });
  assert.equal(r.error, null);
  assert.deepEqual(
    r.functions.map((f) => [f.qualname, f.kind, `${f.line}:${f.column}`, f.params]),
    [
      ["over", "function", "8:1", ["x"]],
      ["Base.describe", "method", "12:3", ["prefix"]],
      ["P.constructor", "constructor", "15:3", ["w", "h"]],
      ["P.area", "method", "16:3", []],
      ["get P.size", "getter", "17:17", []],
      ["id", "arrow", "19:19", ["v"]],
    ],
  );
  assert.deepEqual(parses(r.code, "sigs.ts"), []);
  // The signatures are left exactly as they were.
  for (const line of src.split("\n").slice(0, 7)) assert.ok(r.code.includes(line), line);
  assert.ok(r.code.includes("abstract area(): number;"));
});

Deno.test("instrument: every fixture keeps its line breaks and still parses", () => {
  const files = sources(SPEC);
  assert.ok(files.length >= 50, `only ${files.length} fixtures`);
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    const name = relative(REPO, file);
    const r = instrument(source, { filename: file });
    assert.equal(r.error, null, name);
    assert.equal(lineBreaks(r.code), lineBreaks(source), `${name}: line breaks`);
    assert.deepEqual(parses(r.code, file), [], `${name}: output does not parse`);
    // Code is only inserted, never moved: each line's text is still there, in order, on the
    // same line.
    const before = source.split(/\r\n|[\n\r\u2028\u2029]/);
    const after = r.code.split(/\r\n|[\n\r\u2028\u2029]/);
    for (let i = 0; i < before.length; i++) {
      assert.ok(isSubsequence(before[i], after[i]), `${name}:${i + 1} changed: ${after[i]}`);
    }
  }
});

Deno.test("instrument: a hashbang and a 'use strict' directive stay first", () => {
  const src =
    "#!/usr/bin/env node\n'use strict';\nfunction f() {\n  \"use strict\"\n  return this;\n}\n";
  const r = instrument(src, { filename: "bang.js" });
  assert.ok(
    r.code.startsWith("#!/usr/bin/env node\n'use strict';\nfunction f() {\n  \"use strict\""),
  );
  assert.equal(r.functions.length, 1);
  // The function's own directive still opens its body: the recorder's code comes after it.
  const body = r.code.split("\n")[3];
  assert.match(body, /^ {2}"use strict";?let __tph_c=-1;try{__tph_c=/);
  const fixture = readFileSync(join(SPEC, "hashbang.js"), "utf8");
  const out = instrument(fixture, { filename: "hashbang.js" }).code;
  assert.equal(out.split("\n")[0], "#!/usr/bin/env node");
  const cjs = readFileSync(join(SPEC, "use_strict.cjs"), "utf8");
  assert.ok(instrument(cjs, { filename: "use_strict.cjs" }).code.startsWith('"use strict";\n'));
});

Deno.test("instrument: a sourceMappingURL comment stays the last line", () => {
  const src = "export function f(a) {\n  return a;\n}\n//# sourceMappingURL=f.js.map\n";
  const r = instrument(src, { filename: "f.js", inputSourceMap: false });
  const lines = r.code.split("\n");
  assert.equal(lines.at(-2), "//# sourceMappingURL=f.js.map");
  assert.equal(lines.at(-1), "");
  assert.notEqual(r.code, src);
});

Deno.test("instrument: a source that does not parse is returned untouched with the error", () => {
  for (
    const [src, filename] of [
      ["function f( {\n  return 1;\n}\n", "broken.js"],
      ["const x: = 1;\nfunction g() {}\n", "broken.ts"],
      ["const el = <div>;\n", "broken.tsx"],
    ]
  ) {
    const r: InstrumentResult = instrument(src, { filename });
    assert.equal(r.code, src, filename);
    assert.deepEqual(r.functions, [], filename);
    assert.equal(typeof r.error, "string", filename);
    assert.ok(r.error!.length > 0, filename);
  }
  // A file with no functions comes back unchanged too, without an error.
  const plain = "const a = 1;\nconsole.log(a);\n";
  assert.deepEqual(instrument(plain, { filename: "p.js" }), {
    code: plain,
    functions: [],
    error: null,
    moduleSyntax: false,
    commonJSNames: false,
  });
  assert.equal(instrument("export const a = 1;\n", { filename: "p.js" }).moduleSyntax, true);
  assert.equal(instrument("function f( {", { filename: "p.js" }).moduleSyntax, null);
});

Deno.test("instrument: positions map back through a hand-made input source map", () => {
  // "Transpiled" code whose two lines came from lines 3 and 6 of the original.
  const code = "export function alpha(a) { return a; }\nconst beta = (b)=>b;\n";
  const map = {
    version: 3,
    sources: ["orig.ts"],
    names: [],
    // Decoded segments: [generated column, source, original line, original column] (0-based).
    mappings: [[[0, 0, 2, 0], [7, 0, 2, 7], [27, 0, 3, 2]], [[0, 0, 5, 0], [13, 0, 5, 13]]],
  };
  // The same segments VLQ-encoded (by hand): "AAEA,OAAO,oBACL;AAEF,aAAa".
  const r = instrument(code, { filename: "orig.ts", lang: "js", inputSourceMap: map });
  assert.deepEqual(r.functions.map((f) => [f.qualname, f.line, f.column]), [
    ["alpha", 3, 8],
    ["beta", 6, 14],
  ]);
  assert.equal(lineBreaks(r.code), 2);
  // The same map as an inline comment (how Deno passes it) is read by default...
  const inline = code + "//# sourceMappingURL=data:application/json;base64," +
    btoa(JSON.stringify({ ...map, mappings: "AAEA,OAAO,oBACL;AAEF,aAAa" })) + "\n";
  const fromComment = instrument(inline, { filename: "orig.ts", lang: "js" });
  assert.deepEqual(fromComment.functions.map((f) => [f.qualname, f.line, f.column]), [
    ["alpha", 3, 8],
    ["beta", 6, 14],
  ]);
  // ...and ignored with inputSourceMap: false.
  const ignored = instrument(inline, { filename: "orig.ts", lang: "js", inputSourceMap: false });
  assert.deepEqual(ignored.functions.map((f) => [f.qualname, f.line, f.column]), [
    ["alpha", 1, 8],
    ["beta", 2, 14],
  ]);
});

// The TypeScript fixtures as Deno's loader hands them to tph: transpiled, with an inline map.
const TS_FIXTURES = sources(SPEC).filter((f) => /\.tsx?$/.test(f) && !f.includes("/_util/"));
let transpiled: Record<string, string> | null = null;
function denoTranspiled(): Record<string, string> {
  transpiled ??= JSON.parse(execFileSync(
    BIN.deno,
    ["run", "-A", join(REPO, "tests/program/instrument/_deno_transpiled.ts"), ...TS_FIXTURES],
    { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 << 20 },
  )) as Record<string, string>;
  return transpiled;
}
/**
 * Fixtures where Deno's JavaScript legitimately has other functions or positions (each a known
 * bug, see the `known_bug` lines of their .calls files): transpiler-made functions for enums,
 * namespaces and decorators, and a parenthesized function expression that Deno's map places on
 * its "(".
 */
const DENO_DIFFERS = new Set([
  "ts_enums_namespaces.ts",
  "decorators.ts",
  "decorators_class.ts",
  "anon_positions.ts",
]);

function inlineMappings(code: string): number[][][] {
  const b64 = /base64,([A-Za-z0-9+/=]+)\s*$/.exec(code)![1];
  const map = JSON.parse(
    new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))),
  );
  return sourcemapCodec().decode(map.mappings);
}

function compareWithDeno(file: string): void {
  const name = relative(SPEC, file);
  const js = denoTranspiled()[pathToFileURL(file).href];
  assert.ok(js !== undefined, `${name}: not transpiled`);
  assert.match(js, /\/\/# sourceMappingURL=data:application\/json;base64,/, name);
  const fromTs = instrument(readFileSync(file, "utf8"), { filename: file });
  const fromJs = instrument(js, { filename: file, lang: "js", sourceType: "module" });
  assert.equal(fromJs.error, null, name);
  assert.equal(lineBreaks(fromJs.code), lineBreaks(js), `${name}: line breaks`);
  assert.deepEqual(parses(fromJs.code, "x.js"), [], `${name}: output does not parse`);
  // The inline map is still the last line of the instrumented code, and fits it: each mapping
  // points at the character it pointed at before the insertions (stack traces read the map).
  const mapLine = fromJs.code.trimEnd().split("\n").at(-1)!;
  assert.match(mapLine, /^\/\/# sourceMappingURL=data:application\/json;base64,/, name);
  const before = inlineMappings(js), after = inlineMappings(fromJs.code);
  assert.equal(after.length, before.length, `${name}: mapped lines`);
  const jsLines = js.split("\n"), outLines = fromJs.code.split("\n");
  let checked = 0;
  for (let i = 0; i < before.length; i++) {
    assert.equal(after[i].length, before[i].length, `${name}: mappings of line ${i + 1}`);
    for (let k = 0; k < before[i].length; k++) {
      const [a, b] = [before[i][k], after[i][k]];
      assert.deepEqual(b.slice(1), a.slice(1), `${name}: line ${i + 1} mapping ${k}`);
      const ch = jsLines[i][a[0]];
      if (ch === undefined) continue;
      assert.equal(outLines[i][b[0]], ch, `${name}: line ${i + 1} column ${a[0]} → ${b[0]}`);
      checked++;
    }
  }
  assert.ok(checked > 0, name);
  const pick = (fs: FunctionInfo[]) =>
    fs.map((f) => [f.qualname, f.kind, `${f.line}:${f.column}`, f.async, f.generator, f.static]);
  assert.deepEqual(pick(fromJs.functions), pick(fromTs.functions), `${name}: functions`);
}

Deno.test("instrument: Deno's transpiled TypeScript maps back to the original positions", () => {
  assert.ok(TS_FIXTURES.length >= 20);
  for (const file of TS_FIXTURES) {
    if (!DENO_DIFFERS.has(relative(SPEC, file))) compareWithDeno(file);
  }
});

Deno.test({
  name: "instrument: Deno's transpiled TypeScript, fixtures with known differences (known bug)",
  ignore: SKIP_KNOWN_BUGS,
  fn() {
    for (const name of DENO_DIFFERS) compareWithDeno(join(SPEC, name));
  },
});
