import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Manifest } from "../../src/loader/manifest.ts";

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tph-manifest-"));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

Deno.test("Manifest knows nothing before a first run, then whether its files changed", () => {
  withDir((dir) => {
    const a = join(dir, "a.ts"), b = join(dir, "b.ts");
    writeFileSync(a, "export const a = 1;");
    writeFileSync(b, "export const b = 2;");
    const first = new Manifest(join(dir, "cache"), "main.ts");
    assert.equal(first.unchanged(), false, "no previous run");
    first.saw(a);
    first.saw(b);
    first.save();
    assert.equal(new Manifest(join(dir, "cache"), "main.ts").unchanged(), true);
    assert.equal(new Manifest(join(dir, "cache"), "other.ts").unchanged(), false, "another key");
    // A change of content (size) or of modification time is a change.
    writeFileSync(b, "export const b = 22;");
    assert.equal(new Manifest(join(dir, "cache"), "main.ts").unchanged(), false);
  });
});

Deno.test("Manifest notices a touched or deleted file, and rewrites only on a change", () => {
  withDir((dir) => {
    const a = join(dir, "a.ts");
    writeFileSync(a, "export const a = 1;");
    const cache = join(dir, "cache");
    const m = new Manifest(cache, "k");
    m.saw(a);
    m.save();
    const [file] = readdirSync(join(cache, "manifests"));
    const written = statSync(join(cache, "manifests", file)).mtimeMs;
    const again = new Manifest(cache, "k");
    assert.equal(again.unchanged(), true);
    again.saw(a);
    utimesSync(join(cache, "manifests", file), new Date(0), new Date(0));
    again.save();
    assert.equal(statSync(join(cache, "manifests", file)).mtimeMs, 0, "same files: not rewritten");
    assert.ok(written > 0);
    const later = new Date(Date.now() + 5000);
    utimesSync(a, later, later);
    assert.equal(new Manifest(cache, "k").unchanged(), false, "touched");
    rmSync(a);
    assert.equal(new Manifest(cache, "k").unchanged(), false, "deleted");
  });
});

Deno.test("Manifest ignores an unreadable manifest and a cache it cannot write", () => {
  withDir((dir) => {
    const cache = join(dir, "cache");
    const m = new Manifest(cache, "k");
    m.saw(join(dir, "missing.ts"));
    m.save();
    const [file] = readdirSync(join(cache, "manifests"));
    writeFileSync(join(cache, "manifests", file), "{ not json");
    assert.equal(new Manifest(cache, "k").unchanged(), false);
    const blocked = new Manifest(join(dir, "missing.ts", "under-a-file"), "k");
    blocked.saw(join(dir, "x.ts"));
    blocked.save();
  });
});
