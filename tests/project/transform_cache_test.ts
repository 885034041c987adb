import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  PRUNE_INTERVAL_MS,
  PRUNE_STAMP,
  pruneTransformCache,
  pruneTransformCacheDaily,
} from "../../src/project/transform_cache.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 23);

/** A transform cache key: 64 hex digits, the n-th of a test. */
const key = (n: number) => n.toString(16).padStart(2, "0").repeat(32);

/** A private temporary folder (0700, as tph makes its cache), removed at the end. */
function cacheDir(): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), "tph-prune-"));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Write a file of `size` bytes last used `daysAgo` days before NOW. */
function put(path: string, size: number, daysAgo: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, "x".repeat(size));
  const t = new Date(NOW - daysAgo * DAY);
  utimesSync(path, t, t);
}

const entry = (dir: string, n: number) => join(dir, key(n).slice(0, 2), `${key(n)}.js`);

/** The entries left, as their numbers. */
function left(dir: string, ns: number[]): number[] {
  return ns.filter((n) => existsSync(entry(dir, n)));
}

Deno.test("pruneTransformCache() removes the least recently used entries down to the bounds", () => {
  using dir = cacheDir();
  // Entry n was last used n days ago: 10 is the oldest.
  const ns = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  for (const n of ns) put(entry(dir.path, n), 100, n);
  assert.deepEqual(pruneTransformCache(dir.path, { now: NOW }), {
    removed: 0,
    kept: 10,
    bytes: 1000,
  });
  // By count.
  assert.deepEqual(pruneTransformCache(dir.path, { maxEntries: 6, now: NOW }), {
    removed: 4,
    kept: 6,
    bytes: 600,
  });
  assert.deepEqual(left(dir.path, ns), [1, 2, 3, 4, 5, 6]);
  // By size.
  const r = pruneTransformCache(dir.path, { maxBytes: 250, now: NOW });
  assert.deepEqual(r, { removed: 4, kept: 2, bytes: 200 });
  assert.deepEqual(left(dir.path, ns), [1, 2]);
  // Manifests count as entries too.
  const manifest = join(dir.path, "manifests", "0123456789abcdef.json");
  put(manifest, 10, 30);
  pruneTransformCache(dir.path, { maxEntries: 2, now: NOW });
  assert.ok(!existsSync(manifest), "the oldest entry, a manifest, went first");
  assert.deepEqual(left(dir.path, ns), [1, 2]);
});

Deno.test("pruneTransformCache() removes only its own regular files, never through a link", () => {
  using dir = cacheDir();
  using outside = cacheDir();
  const d = dir.path;
  // Someone else's files, old, with names tph never gives.
  const foreign = [
    join(d, "notes.txt"),
    join(d, key(1).slice(0, 2), "notes.js"),
    join(d, key(1).slice(0, 2), `${key(2)}.js`), // an entry's name in the wrong shard
    join(d, "zz", `zz${key(3).slice(2)}.js`),
    join(d, "manifests", "notes.json"),
    join(d, `${key(4)}.js`), // at the top, not in a shard
    join(d, PRUNE_STAMP),
  ];
  for (const f of foreign) put(f, 10, 400);
  // A folder named like an entry, and a link named like one (to a file outside).
  mkdirSync(join(d, key(5).slice(0, 2), `${key(5)}.js`), { recursive: true });
  put(join(outside.path, "precious.js"), 10, 400);
  symlinkSync(join(outside.path, "precious.js"), join(d, key(1).slice(0, 2), `${key(6)}.js`));
  // A shard that is a link to a folder outside, holding a file named like an entry.
  put(join(outside.path, "shard", `${key(7)}.js`), 10, 400);
  symlinkSync(join(outside.path, "shard"), join(d, key(7).slice(0, 2)));
  // Temporary files: one left by a killed run long ago, one being written now.
  const staleTemp = join(d, key(8).slice(0, 2), `.${key(8)}.js.4242abcd.tmp`);
  const freshTemp = join(d, key(9).slice(0, 2), `.${key(9)}.js.4243def4.tmp`);
  put(staleTemp, 10, 1);
  put(freshTemp, 10, 0);
  // One real entry, recent.
  put(entry(d, 10), 10, 0);
  const r = pruneTransformCache(d, { maxEntries: 0, maxBytes: 0, now: NOW });
  assert.deepEqual(r, { removed: 1, kept: 0, bytes: 0 });
  for (const f of foreign) assert.ok(existsSync(f), `${f} is kept`);
  assert.ok(existsSync(join(d, key(5).slice(0, 2), `${key(5)}.js`)), "the folder is kept");
  assert.ok(existsSync(join(d, key(1).slice(0, 2), `${key(6)}.js`)), "the link is kept");
  assert.ok(existsSync(join(outside.path, "precious.js")));
  assert.deepEqual(readdirSync(join(outside.path, "shard")), [`${key(7)}.js`]);
  assert.ok(!existsSync(staleTemp), "a temporary file an hour old is removed");
  assert.ok(existsSync(freshTemp), "a temporary file being written is kept");
  assert.ok(!existsSync(entry(d, 10)));
});

Deno.test("pruneTransformCacheDaily() prunes at most once a day, by the bounds of the environment", () => {
  using dir = cacheDir();
  const env = {
    TPH_TRANSFORM_CACHE: dir.path,
    TPH_TRANSFORM_CACHE_MAX_ENTRIES: "3",
  };
  for (const n of [1, 2, 3, 4, 5]) put(entry(dir.path, n), 10, n);
  const first = pruneTransformCacheDaily(env, NOW);
  assert.deepEqual(first, { removed: 2, kept: 3, bytes: 30 });
  assert.ok(existsSync(join(dir.path, PRUNE_STAMP)));
  // Within the day: one stat, nothing removed.
  utimesSync(join(dir.path, PRUNE_STAMP), new Date(NOW), new Date(NOW));
  for (const n of [6, 7]) put(entry(dir.path, n), 10, n);
  assert.equal(pruneTransformCacheDaily(env, NOW + PRUNE_INTERVAL_MS - 1), null);
  assert.deepEqual(left(dir.path, [1, 2, 3, 4, 5, 6, 7]), [1, 2, 3, 6, 7]);
  // A day later it prunes again; the byte bound applies too.
  const later = pruneTransformCacheDaily(
    { ...env, TPH_TRANSFORM_CACHE_MAX_BYTES: "20" },
    NOW + PRUNE_INTERVAL_MS,
  );
  assert.deepEqual(later, { removed: 3, kept: 2, bytes: 20 });
  assert.deepEqual(left(dir.path, [1, 2, 3, 6, 7]), [1, 2]);
});

Deno.test("pruneTransformCacheDaily() leaves a folder tph would not use, and makes none", () => {
  using dir = cacheDir();
  const open = join(dir.path, "open");
  put(entry(open, 1), 10, 5);
  chmodSync(open, 0o777);
  const env = { TPH_TRANSFORM_CACHE: open, TPH_TRANSFORM_CACHE_MAX_ENTRIES: "0" };
  assert.equal(pruneTransformCacheDaily(env, NOW), null);
  assert.ok(existsSync(entry(open, 1)), "a folder others can write is not tph's to prune");
  assert.ok(!existsSync(join(open, PRUNE_STAMP)));
  // A link to a cache folder is not used either.
  const link = join(dir.path, "link");
  chmodSync(open, 0o700);
  symlinkSync(open, link);
  assert.equal(pruneTransformCacheDaily({ ...env, TPH_TRANSFORM_CACHE: link }, NOW), null);
  assert.ok(existsSync(entry(open, 1)));
  // A folder that is not there stays so.
  const missing = join(dir.path, "missing");
  assert.equal(pruneTransformCacheDaily({ ...env, TPH_TRANSFORM_CACHE: missing }, NOW), null);
  assert.ok(!existsSync(missing));
});
