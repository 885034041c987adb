import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Manifest } from "../../../src/program/loader/manifest.ts";

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tph-manifest-"));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file a.ts, and a manifest saved for it under key "k": the paths. */
function savedOnce(dir: string): { a: string; cache: string; file: string } {
  const a = join(dir, "a.ts"), cache = join(dir, "cache");
  writeFileSync(a, "export const a = 1;");
  const m = new Manifest(cache, "k", []);
  m.saw(a, "key");
  m.save();
  const [name] = readdirSync(join(cache, "manifests"));
  return { a, cache, file: join(cache, "manifests", name) };
}

Deno.test("Manifest knows nothing before a first run, then the keys of unchanged files", () => {
  withDir((dir) => {
    const a = join(dir, "a.ts"), b = join(dir, "b.ts"), cache = join(dir, "cache");
    writeFileSync(a, "export const a = 1;");
    writeFileSync(b, "export const b = 2;");
    const first = new Manifest(cache, "main.ts", []);
    assert.equal(first.unchanged(), false, "no previous run");
    assert.equal(first.keyFor(a), undefined);
    first.saw(a, "key-a");
    first.saw(b, "key-b");
    first.save();
    const second = new Manifest(cache, "main.ts", []);
    assert.equal(second.unchanged(), true);
    assert.equal(second.keyFor(a), "key-a");
    assert.equal(second.keyFor(b), "key-b");
    assert.equal(new Manifest(cache, "other.ts", []).unchanged(), false, "another program");
    // A file rewritten after the check (by the program, before it imports it) has no key.
    writeFileSync(a, "export const a = 11;");
    assert.equal(second.keyFor(a), undefined, "changed since the check");
    writeFileSync(a, "export const a = 1;");
    utimesSync(a, new Date(0), new Date(0));
    // A change of content (size) is a change, and then no key is trusted.
    writeFileSync(b, "export const b = 22;");
    const third = new Manifest(cache, "main.ts", []);
    assert.equal(third.unchanged(), false);
    assert.equal(third.keyFor(b), undefined);
  });
});

Deno.test("Manifest notices a touched or deleted file, and rewrites only on a change", () => {
  withDir((dir) => {
    const { a, cache, file } = savedOnce(dir);
    const again = new Manifest(cache, "k", []);
    assert.equal(again.unchanged(), true);
    again.saw(a, "key");
    utimesSync(file, new Date(0), new Date(0));
    again.save();
    assert.equal(statSync(file).mtimeMs, 0, "same files: not rewritten");
    const later = new Date(Date.now() + 5000);
    utimesSync(a, later, later);
    assert.equal(new Manifest(cache, "k", []).unchanged(), false, "touched");
    rmSync(a);
    assert.equal(new Manifest(cache, "k", []).unchanged(), false, "deleted");
  });
});

Deno.test("Manifest watches configuration files, including one that appears", () => {
  withDir((dir) => {
    const a = join(dir, "a.ts"), config = join(dir, "deno.json"), cache = join(dir, "cache");
    writeFileSync(a, "export const a = 1;");
    const first = new Manifest(cache, "k", [config]);
    first.saw(a, "key");
    first.save();
    assert.equal(new Manifest(cache, "k", [config]).unchanged(), true);
    writeFileSync(config, '{ "compilerOptions": { "jsx": "react" } }');
    assert.equal(new Manifest(cache, "k", [config]).unchanged(), false, "a config appeared");
    const second = new Manifest(cache, "k", [config]);
    second.saw(a, "key2");
    second.save();
    assert.equal(new Manifest(cache, "k", [config]).keyFor(a), "key2");
    writeFileSync(config, '{ "compilerOptions": { "jsx": "precompile" } }');
    assert.equal(new Manifest(cache, "k", [config]).unchanged(), false, "a config changed");
    assert.equal(new Manifest(cache, "k", []).unchanged(), false, "other watched files");
  });
});

Deno.test("Manifest ignores an unreadable or foreign manifest and a cache it cannot write", () => {
  withDir((dir) => {
    const { a, cache, file: path } = savedOnce(dir);
    writeFileSync(path, JSON.stringify({ identity: "someone else", files: [], watched: [] }));
    assert.equal(new Manifest(cache, "k", []).unchanged(), false, "foreign identity");
    writeFileSync(path, "{ not json");
    assert.equal(new Manifest(cache, "k", []).unchanged(), false, "not JSON");
    const blocked = new Manifest(join(a, "under-a-file"), "k", []);
    blocked.saw(a, "key");
    blocked.save();
  });
});
