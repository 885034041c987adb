import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transform } from "../../src/loader/transform.ts";

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
    writeFileSync(join(dir, files[0]), "/* from cache */");
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
