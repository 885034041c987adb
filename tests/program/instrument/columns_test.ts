// The two ways positions in rewritten code are taken back to the source (_columns.ts): the column
// table Bun's frames are mapped with (bun_stacks.ts), and the source map made for JavaScript that
// Deno hands the loader without one. Checked against the rewritten text itself: every marked
// name of the source is found in the code, and its place there must map to its place in the source.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument, readShiftMap } from "../../../src/program/instrument/instrument.ts";
import { originalColumn, rememberColumns } from "../../../src/program/loader/bun_stacks.ts";
import { cacheKey, entryText, transformModule } from "../../../src/program/loader/transform.ts";
import { readInlineSourceMap } from "../../../src/program/instrument/_positions.ts";
import { traceMapping } from "../../../src/deps.ts";

// Names that occur once in the source and never in what tph inserts; several on one line with
// text inserted between them (prologues, returns, awaits, external calls), some on lines of
// their own, some before any insertion on their line.
const SOURCE = [
  "const alpha = 1; function beta(x) { if (x) { throw new Error(gamma(x)); } return delta(x) + 1; } async function epsilon(y) { await zeta; return JSON.parse(eta(y)); }",
  "function theta(a, b) {",
  "  const iota = a[b] + kappa.lambda(b);",
  "  return iota;",
  "}",
  "\tconst mu = (nu) => xi(nu) * omicron;",
  "",
  "export { alpha, beta, epsilon, theta, mu };",
].join("\n");

/** Each marked name: its line (1-based) and column (1-based) in `text`. */
function places(text: string): Map<string, { line: number; column: number }> {
  const out = new Map<string, { line: number; column: number }>();
  text.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(/\b[a-z]{2,}(?=\W)/g)) {
      if (/^(?:const|function|if|throw|new|return|async|await|export|x|y|a|b|nu)$/.test(m[0])) {
        continue;
      }
      if (!out.has(m[0])) out.set(m[0], { line: i + 1, column: m.index! + 1 });
    }
  });
  return out;
}

Deno.test("the column table maps every place in the rewritten code back to the source's", () => {
  const r = instrument(SOURCE, { filename: "/x/marks.js", columnTable: true });
  assert.notEqual(r.code, SOURCE);
  assert.equal(r.code.split("\n").length, SOURCE.split("\n").length, "no line added");
  assert.ok(typeof r.columns === "string" && r.columns !== "");
  rememberColumns("/x/marks.js", r.columns);
  const before = places(SOURCE), after = places(r.code);
  assert.ok(before.size >= 15, `${before.size} names`);
  let moved = 0;
  for (const [name, at] of before) {
    const rewritten = after.get(name);
    assert.ok(rewritten !== undefined, name);
    assert.equal(rewritten.line, at.line, name);
    if (rewritten.column !== at.column) moved++;
    assert.equal(originalColumn("/x/marks.js", rewritten.line, rewritten.column), at.column, name);
  }
  assert.ok(moved >= 8, `only ${moved} names moved`);
  // A place inside inserted text maps to the source character it was inserted before.
  const line1 = r.code.split("\n")[0];
  const inserted = line1.indexOf("__tph");
  const beforeInsert = SOURCE.split("\n")[0].indexOf("if (x)");
  assert.ok(inserted > 0 && beforeInsert > 0);
  assert.equal(originalColumn("/x/marks.js", 1, inserted + 1), SOURCE.indexOf(" if (x)") + 1);
  // A file tph did not rewrite keeps its columns.
  assert.equal(originalColumn("/x/other.js", 1, 500), 500);
  rememberColumns("/x/marks.js", "");
  assert.equal(originalColumn("/x/marks.js", 1, 500), 500);
});

Deno.test("a JavaScript file without a source map gets one with a segment at each name", () => {
  const r = instrument(SOURCE, { filename: "/x/marks.js", sourceMap: true });
  const text = readInlineSourceMap(r.code);
  assert.ok(text !== null, "no inline map");
  const map = JSON.parse(text);
  assert.deepEqual(map.sources, ["file:///x/marks.js"]);
  const { TraceMap, originalPositionFor } = traceMapping();
  const traced = new TraceMap(map);
  const before = places(SOURCE), after = places(r.code.slice(0, r.code.lastIndexOf("\n//#")));
  for (const [name, at] of before) {
    // A function's own name is no place V8 reports: the map leaves it out.
    if (SOURCE.includes(`function ${name}`)) continue;
    const rewritten = after.get(name)!;
    const pos = originalPositionFor(traced, { line: rewritten.line, column: rewritten.column - 1 });
    assert.deepEqual([pos.line, pos.column! + 1], [at.line, at.column], name);
  }
  // The operators and brackets V8 reports too: `a[b]`'s `[`, `+`.
  const line3 = r.code.split("\n")[2];
  for (const token of ["[b]", "+ kappa"]) {
    const pos = originalPositionFor(traced, { line: 3, column: line3.indexOf(token) });
    assert.deepEqual([pos.line, pos.column], [3, SOURCE.split("\n")[2].indexOf(token)], token);
  }
  // Code that comes with a map keeps it (shifted), and one not asked for gets none.
  assert.equal(readInlineSourceMap(instrument(SOURCE, { filename: "/x/marks.js" }).code), null);
});

Deno.test("with shiftMap, code with a map of its own also carries the map of the rewriting", () => {
  // The source's own map: every line to line 1 of another file.
  const own = { version: 3, sources: ["file:///x/marks.ts"], names: [], mappings: "AAAA;AAAA" };
  const source = `${SOURCE}\n//# sourceMappingURL=data:application/json;base64,${
    btoa(JSON.stringify(own))
  }\n`;
  const r = instrument(source, { filename: "/x/marks.js", sourceMap: true, shiftMap: true });
  assert.equal(r.code.split("\n").length, source.split("\n").length + 1, "one line, at the end");
  // The map at the end is the source's own, shifted.
  assert.deepEqual(JSON.parse(readInlineSourceMap(r.code)!).sources, own.sources);
  const text = readShiftMap(r.code);
  assert.ok(text !== null, "no map of the rewriting");
  const map = JSON.parse(text);
  assert.deepEqual(map.sources, ["file:///x/marks.js"]);
  const { TraceMap, originalPositionFor } = traceMapping();
  const traced = new TraceMap(map);
  const before = places(SOURCE), after = places(r.code.slice(0, r.code.indexOf("\n//#")));
  let moved = 0;
  for (const [name, at] of before) {
    if (SOURCE.includes(`function ${name}`)) continue;
    const rewritten = after.get(name)!;
    if (rewritten.column !== at.column) moved++;
    const pos = originalPositionFor(traced, { line: rewritten.line, column: rewritten.column - 1 });
    assert.deepEqual([pos.line, pos.column! + 1], [at.line, at.column], name);
  }
  assert.ok(moved >= 4, `only ${moved} names moved`);
  // Only when asked for, and only for a source with a map of its own.
  const plain = instrument(source, { filename: "/x/marks.js", sourceMap: true });
  assert.equal(readShiftMap(plain.code), null);
  const noMap = instrument(SOURCE, { filename: "/x/marks.js", sourceMap: true, shiftMap: true });
  assert.equal(readShiftMap(noMap.code), null);
});

Deno.test("transformModule() keeps the column table with the cached code", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-cache-"));
  try {
    const options = {
      filename: "/x/marks.js",
      module: "marks.js",
      cacheDir: dir,
      sourceType: "unambiguous",
      columnTable: true,
    } as const;
    const first = transformModule(SOURCE, options);
    assert.ok(first.columns);
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) =>
      f.endsWith(".js")
    );
    assert.equal(files.length, 1);
    // Served from the cache: the stored entry's table comes back.
    const key = cacheKey(SOURCE, options);
    assert.equal(files[0], join(key.slice(0, 2), `${key}.js`));
    writeFileSync(join(dir, files[0]), entryText(key, SOURCE, "m1,2\n/* cached */"));
    const second = transformModule(SOURCE, options);
    assert.deepEqual(second, {
      code: "/* cached */",
      moduleSyntax: true,
      commonJSNames: false,
      columns: "1,2",
    });
    // Without the table, another entry; a file that does not parse has an empty table.
    assert.equal(transformModule(SOURCE, { ...options, columnTable: undefined }).columns, null);
    assert.equal(transformModule("let x = (", options).columns, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
