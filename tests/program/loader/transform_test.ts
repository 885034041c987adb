import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { BIN } from "../../_harness.ts";
import {
  cacheKey,
  entryBody,
  entryText,
  transform,
  transformModule,
} from "../../../src/program/loader/transform.ts";

const SOURCE = "export function add(a, b) { return a + b }\n";

function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".js"));
}

Deno.test("transform() caches by content and serves the cached code", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-cache-"));
  try {
    const first = transform(SOURCE, { filename: "/x/add.js", module: "add.js", cacheDir: dir });
    assert.match(first, /__tph_c=/);
    const files = entries(dir);
    assert.equal(files.length, 1);
    // Prove the second call reads the cache: change the stored entry and see it come back.
    const key = cacheKey(SOURCE, { filename: "/x/add.js", module: "add.js" });
    assert.equal(files[0], join(key.slice(0, 2), `${key}.js`));
    writeFileSync(join(dir, files[0]), entryText(key, SOURCE, "/* from cache */"));
    const second = transform(SOURCE, { filename: "/x/add.js", module: "add.js", cacheDir: dir });
    assert.equal(second, "/* from cache */");
    // A different source, file name or module name is a different entry.
    transform(SOURCE + " ", { filename: "/x/add.js", module: "add.js", cacheDir: dir });
    transform(SOURCE, { filename: "/y/add.js", module: "add.js", cacheDir: dir });
    transform(SOURCE, { filename: "/x/add.js", module: "other.js", cacheDir: dir });
    assert.equal(entries(dir).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("transform() works without a cache and with an unwritable one", () => {
  const plain = transform(SOURCE, { filename: "/x/add.js", module: "add.js", cacheDir: null });
  assert.match(plain, /__tph_c=/);
  const code = transform(SOURCE, {
    filename: "/x/add.js",
    module: "add.js",
    cacheDir: "/proc/no-such-dir/cache",
  });
  assert.equal(code, plain);
});

Deno.test("transform() leaves a file that does not parse untouched", () => {
  const bad = "function (\n";
  assert.equal(transform(bad, { filename: "/x/bad.js", module: "bad.js", cacheDir: null }), bad);
});

Deno.test("transformModule() tells whether a file has module syntax, from the cache too", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-cache-"));
  const cjs = "const importance = 1;\nfunction f() { return importance }\nmodule.exports = f;\n";
  try {
    for (let pass = 0; pass < 2; pass++) {
      for (const [source, expected] of [[SOURCE, true], [cjs, false], ["let x = (", null]]) {
        const options = {
          filename: "/x/f.js",
          module: "f.js",
          cacheDir: dir,
          sourceType: "unambiguous",
        } as const;
        const r = transformModule(source as string, options);
        assert.equal(r.moduleSyntax, expected, `pass ${pass}: ${source}`);
        if (expected !== null) assert.match(r.code, /__tph_c=/);
        else assert.equal(r.code, source);
      }
    }
    assert.equal(entries(dir).length, 3);
    // Without sourceType, the answer is not asked for and the entry is the code alone.
    const plain = transformModule(SOURCE, { filename: "/x/f.js", module: "f.js", cacheDir: dir });
    assert.equal(plain.moduleSyntax, null);
    assert.equal(entries(dir).length, 4);
    assert.equal(
      transform(SOURCE, { filename: "/x/f.js", module: "f.js", cacheDir: dir }),
      plain.code,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("entryBody() gives an entry's body only when it is whole and the one asked for", () => {
  const key = "ab".repeat(32);
  const text = entryText(key, SOURCE, "code\n// ü\n");
  assert.equal(entryBody(text, key, SOURCE), "code\n// ü\n");
  const problem = (t: string, k = key, source = SOURCE) => {
    const body = entryBody(t, k, source);
    assert.notEqual(typeof body, "string", t);
    return (body as { problem: string }).problem;
  };
  assert.equal(problem(""), "is empty");
  assert.equal(problem("console.log(1)\n"), "is not tph's");
  assert.equal(problem(text.slice(0, 20)), "has a damaged header");
  assert.equal(problem(text, "cd".repeat(32)), "is another file's");
  assert.equal(problem(text, key, SOURCE + " "), "is another file's");
  assert.equal(problem(text.slice(0, -1)), "is cut short or lengthened");
  assert.equal(problem(text + "x"), "is cut short or lengthened");
  assert.equal(problem(text.replace("code", "cods")), "was changed");
});

Deno.test("an entry hashed by sha256 (Node's, `s`) is checked by it, and one with a lone surrogate falls back to FNV-1a", () => {
  const key = "ab".repeat(32);
  const text = entryText(key, SOURCE, "code\n// ü\n", "s");
  assert.match(text.slice(0, text.indexOf("\n")), / s[0-9a-f]{16}$/);
  assert.equal(entryBody(text, key, SOURCE), "code\n// ü\n");
  const changed = entryBody(text.replace("code", "cods"), key, SOURCE);
  assert.deepEqual(changed, { problem: "was changed" });
  // UTF-8 does not keep a lone surrogate: the sha256 of the text read back would match.
  const lone = entryText(key, SOURCE, "x = '\ud800';\n", "s");
  assert.doesNotMatch(lone.slice(0, lone.indexOf("\n")), / s[0-9a-f]{16}$/);
  assert.equal(entryBody(lone, key, SOURCE), "x = '\ud800';\n");
  assert.deepEqual(entryBody(lone.replace("\ud800", "\ufffd"), key, SOURCE), {
    problem: "was changed",
  });
});

Deno.test("an entry checked by sha256 (`s`) is served, and written again with contentHash's", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-cache-"));
  try {
    const opts = { filename: "/x/add.js", module: "add.js", cacheDir: dir };
    transform(SOURCE, opts);
    const key = cacheKey(SOURCE, opts);
    const file = join(dir, key.slice(0, 2), `${key}.js`);
    writeFileSync(file, entryText(key, SOURCE, "/* from cache */", "s"));
    assert.equal(transform(SOURCE, opts), "/* from cache */");
    const header = readFileSync(file, "utf8").split("\n")[0];
    assert.match(header, / [fw][0-9a-f]{16}$/, "no sha256 left to check next time");
    assert.equal(transform(SOURCE, opts), "/* from cache */");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("Node hashes a large body by crc32 (`z`), checked on every runtime", () => {
  const key = "ab".repeat(32);
  const body = "let x = 1;\n".repeat(7000);
  const text = entryText(key, SOURCE, body, "z");
  assert.match(text.slice(0, text.indexOf("\n")), / z[0-9a-f]{16}$/);
  assert.equal(entryBody(text, key, SOURCE), body);
  assert.deepEqual(entryBody(text.replace("x = 1", "x = 2"), key, SOURCE), {
    problem: "was changed",
  });
  // Lone surrogates: as for sha256, FNV-1a.
  const lone = entryText(key, SOURCE, body + "'\ud800';", "z");
  assert.doesNotMatch(lone.slice(0, lone.indexOf("\n")), / z[0-9a-f]{16}$/);
  // What each runtime writes by default.
  const written = entryText(key, SOURCE, body);
  const kind = written[written.indexOf("\n") - 17];
  assert.equal(kind, "Bun" in globalThis ? "w" : "Deno" in globalThis ? "f" : "z");
});

Deno.test("Node writes a large body's hash as `z`, a small one's as `f`, and checks both", () => {
  const url = new URL("../../../src/program/loader/transform.ts", import.meta.url).href;
  const script = `import { entryText, entryBody } from ${JSON.stringify(url)};
const key = "ab".repeat(32), big = "let x = 1;\\n".repeat(7000), small = "let y;\\n";
const kinds = [big, small].map((b) => {
  const t = entryText(key, "s", b);
  return t[t.indexOf("\\n") - 17] + (entryBody(t, key, "s") === b);
});
// Small bodies: by FNV-1a until 131,072 characters of them were, then by crc32.
const smalls = Array.from({ length: 22 }, (_, i) => {
  const b = "let z = " + i + ";\\n" + "//".padEnd(6980, "-");
  const t = entryText(key, "s", b);
  return t[t.indexOf("\\n") - 17] + (entryBody(t, key, "s") === b ? "" : "!");
});
console.log(kinds.join(" "), smalls.join(""));`;
  const r = spawnSync(BIN.node, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "ztrue ftrue " + "f".repeat(19) + "zzz\n");
});
