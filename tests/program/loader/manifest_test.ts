import assert from "node:assert/strict";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
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

Deno.test("Manifest per file (Node): each unchanged file's key, under its stamp and map stamp", () => {
  withDir((dir) => {
    const a = join(dir, "a.ts"), b = join(dir, "b.ts"), cache = join(dir, "cache");
    writeFileSync(a, "export const a = 1;");
    writeFileSync(b, "export const b = 2;");
    const first = new Manifest(cache, "k", [], true);
    const fa = first.fileNow(a)!, fb = first.fileNow(b)!;
    assert.equal(fa.size, 19);
    assert.equal(fa.key(null), undefined, "no previous run");
    fa.saw("key-a", null);
    fb.saw("key-b", "b.js.map\u000012\u00001");
    assert.equal(first.fileNow(dir), null, "a folder is no file");
    assert.equal(first.fileNow(join(dir, "missing.ts")), null);
    first.save();
    // b changes: a's key is still known (Deno's manifest would know none).
    writeFileSync(b, "export const b = 22;");
    const second = new Manifest(cache, "k", [], true);
    assert.equal(second.unchanged(), false, "never said on Node");
    assert.equal(second.fileNow(a)!.key(null), "key-a");
    assert.equal(second.fileNow(a)!.key("a.js.map\u000012\u00001"), undefined, "a map appeared");
    assert.equal(second.fileNow(b)!.key("b.js.map\u000012\u00001"), undefined, "b changed");
    // The stamp is the one taken before the file is read: a change after it is not recorded.
    const fa2 = second.fileNow(a)!;
    writeFileSync(a, "export const a = 11;");
    fa2.saw("key-a2", null);
    second.save();
    const third = new Manifest(cache, "k", [], true);
    assert.equal(third.fileNow(a)!.key(null), undefined, "a's stamp then is not its stamp now");
    // A run that instrumented nothing keeps the last manifest.
    new Manifest(cache, "k", [], true).save();
    const [name] = readdirSync(join(cache, "manifests"));
    const saved = JSON.parse(readFileSync(join(cache, "manifests", name), "utf8"));
    // b, not loaded by the second run, keeps its (now stale) key: checked again when used.
    assert.deepEqual(saved.files.map((f: unknown[]) => f[3]), ["key-a2", "key-b"]);
  });
});

Deno.test("Manifest per file (Node): files another process of the program loaded keep their keys", () => {
  withDir((dir) => {
    const a = join(dir, "a.ts"), w = join(dir, "worker.ts"), cache = join(dir, "cache");
    writeFileSync(a, "export const a = 1;");
    writeFileSync(w, "export const w = 1;");
    // The main thread and a worker thread start from the same manifest; the worker ends last.
    const main = new Manifest(cache, "k", [], true), worker = new Manifest(cache, "k", [], true);
    main.fileNow(a)!.saw("key-a", null);
    main.save();
    worker.fileNow(w)!.saw("key-w", null);
    worker.save();
    const next = new Manifest(cache, "k", [], true);
    assert.equal(next.fileNow(w)!.key(null), "key-w");
    // The main thread's next run finds its own too, and the worker's are kept.
    assert.equal(next.fileNow(a)!.key(null), undefined, "lost to the worker's save");
    next.fileNow(a)!.saw("key-a", null);
    next.save();
    const third = new Manifest(cache, "k", [], true);
    assert.equal(third.fileNow(a)!.key(null), "key-a");
    assert.equal(third.fileNow(w)!.key(null), "key-w", "kept though this run did not load it");
  });
});
