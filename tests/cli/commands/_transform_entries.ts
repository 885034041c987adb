// A transform cache entry is checked before it is used: one cut short, changed, not tph's,
// another file's, a folder or a link is rebuilt (one warning line in the run) and replaced, and
// the program runs as it does with no cache at all. Entries run as the program's code: a file
// that is not an entry tph wrote for this file never runs.

import assert from "node:assert/strict";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { assertCode, lines, type Result, type Target, tempDir, tph } from "./_cli.ts";

/** A TypeScript module, an ES module and a CommonJS module, each with a traced function. */
const FILES: Record<string, string> = {
  "package.json": '{ "name": "app", "type": "module" }\n',
  "main.ts": 'import { twice } from "./lib.mjs";\nimport { createRequire } from "node:module";\n' +
    'const { inc } = createRequire(import.meta.url)("./count.cjs");\n' +
    "function main(n: number): number {\n  return inc(twice(n));\n}\nconsole.log(main(20));\n",
  "lib.mjs": "export function twice(n) {\n  return n * 2;\n}\n",
  "count.cjs": "function inc(n) {\n  return n + 1;\n}\nmodule.exports = { inc };\n",
};

/** 300 bytes that are no text, the same each time. */
function noise(): Uint8Array {
  const bytes = new Uint8Array(300);
  let x = 0x2545f491;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** The entries of a transform cache folder (its shard folders' files). */
function entriesOf(cache: string): string[] {
  return readdirSync(cache).filter((d) => /^[0-9a-f]{2}$/.test(d)).flatMap((d) =>
    readdirSync(join(cache, d)).filter((f) => f.endsWith(".js")).map((f) => join(cache, d, f))
  );
}

const WARNING = /^tph: warning: the transform cache entry .* instrumenting the file anew/;

export function transformEntryTests(t: Target): void {
  Deno.test(`tph run rebuilds a transform cache entry that is damaged, foreign or not a file (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(cwd, name), text);
    const cache = join(cwd, "transforms");
    const env = { TPH_TRANSFORM_CACHE: cache };
    const run = async (what: string): Promise<Result> => {
      const r = await tph(t, ["run", "--no-cache", "--tree", "main.ts"], { cwd, env });
      assertCode(r, 0, what);
      assert.equal(r.stdout, "41\n", `${what}: the program's output\n${r.stderr}`);
      for (const call of ["main(n=20) -> 41", "twice(n=20) -> 40", "inc(n=40) -> 41"]) {
        assert.ok(r.stderr.includes(call), `${what}: ${call} recorded:\n${r.stderr}`);
      }
      return r;
    };
    const warnings = (r: Result) => lines(r.stderr).filter((l) => l.startsWith("tph: warning:"));
    const first = await run("first run");
    assert.deepEqual(warnings(first), []);
    const entries = entriesOf(cache);
    assert.equal(entries.length, 3, entries.join("\n"));
    const good = entries.map((e) => readFileSync(e));
    // A valid program of its own: a cache that took it would run it.
    const foreign = join(cwd, "foreign.js");
    writeFileSync(foreign, 'console.log("injected");\n');
    const damage: [string, (entry: string, i: number) => void][] = [
      ["empty", (e) => truncateSync(e, 0)],
      ["cut short", (e) => truncateSync(e, Math.floor(statSync(e).size / 2))],
      ["noise", (e) => writeFileSync(e, noise())],
      ["a program that is not tph's", (e) => writeFileSync(e, 'console.log("injected");\n')],
      ["one byte changed", (e, i) => {
        const bytes = new Uint8Array(good[i]);
        bytes[bytes.length - 3] ^= 1;
        writeFileSync(e, bytes);
      }],
      ["another file's entry", (e, i) => writeFileSync(e, good[(i + 1) % good.length])],
      ["an empty folder", (e) => {
        rmSync(e);
        mkdirSync(e);
      }],
      ["a link to a program", (e) => {
        rmSync(e);
        symlinkSync(foreign, e);
      }],
      ["a link to another entry", (e, i) => {
        rmSync(e);
        const other = join(cwd, `other${i}.js`);
        writeFileSync(other, good[(i + 1) % good.length]);
        symlinkSync(other, e);
      }],
    ];
    for (const [what, spoil] of damage) {
      entries.forEach(spoil);
      const r = await run(what);
      assert.ok(!r.stdout.includes("injected"), `${what}: the foreign code did not run`);
      const said = warnings(r);
      assert.equal(said.length, 1, `${what}: one warning line:\n${r.stderr}`);
      assert.match(said[0], WARNING, what);
      // Replaced whole: the next run finds every entry good, and says nothing.
      for (const e of entries) assert.ok(statSync(e).isFile(), `${what}: ${e} replaced`);
      assert.deepEqual(warnings(await run(`${what}, again`)), [], what);
    }
  });
}
