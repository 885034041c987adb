import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  defaultCacheDir,
  ensureCacheDir,
  removeStaleTemps,
  sharedFolder,
  unsafeCacheDir,
} from "../../src/store/cache_dir.ts";
import { tempDir } from "./_cache.ts";

Deno.test("removeStaleTemps() removes tph's own old temporary files and nothing else", () => {
  const dir = tempDir();
  const outside = tempDir();
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const victim = join(outside, "precious.txt");
  writeFileSync(victim, "keep me");
  const files = {
    ".run.123.ab12cd34.tmp": old,
    ".run.123.ab12cd34.tmp.ending.json": old,
    ".run_20261120T091500_042_a1b2c3.json.9f8e7d6c.tmp": old,
    // A raw run being made a run file (run_file/decode.ts, convertRaw) by a process killed then.
    ".run_20261120T091500_042_a1b2c3.tph.0a1b2c3d.tmp": old,
    ".run.456.cd34ef56.tmp": new Date(),
    "run_20261120T091500_042_a1b2c3.json": old,
    ".gitignore": old,
    // The user's own files that look temporary: never tph's to remove.
    ".notes.tmp": old,
    ".run.tmp": old,
    ".run.1.xyz.tmp": old,
  };
  for (const [name, time] of Object.entries(files)) {
    writeFileSync(join(dir, name), "{}");
    utimesSync(join(dir, name), time, time);
  }
  // A folder and a link under tph's own names are not its files either.
  mkdirSync(join(dir, ".run.7.00000000.tmp"));
  writeFileSync(join(dir, ".run.7.00000000.tmp", "inside"), "x");
  utimesSync(join(dir, ".run.7.00000000.tmp"), old, old);
  symlinkSync(victim, join(dir, ".run.8.11111111.tmp"));
  assert.equal(removeStaleTemps(dir), 4);
  assert.deepEqual(readdirSync(dir).sort(), [
    ".gitignore",
    ".notes.tmp",
    ".run.1.xyz.tmp",
    ".run.456.cd34ef56.tmp",
    ".run.7.00000000.tmp",
    ".run.8.11111111.tmp",
    ".run.tmp",
    "run_20261120T091500_042_a1b2c3.json",
  ]);
  assert.equal(readFileSync(victim, "utf8"), "keep me");
  assert.equal(removeStaleTemps(join(dir, "missing")), 0);
});

Deno.test("ensureCacheDir() writes its .gitignore only into a folder it makes", () => {
  const dir = tempDir();
  const made = join(dir, "new/.tracepatch_cache");
  ensureCacheDir(made);
  assert.match(readFileSync(join(made, ".gitignore"), "utf8"), /^\*$/m);
  const users = join(dir, "mine");
  mkdirSync(users);
  writeFileSync(join(users, "notes.md"), "mine");
  ensureCacheDir(users);
  assert.ok(!existsSync(join(users, ".gitignore")), "the user's folder is left as it is");
});

Deno.test("unsafeCacheDir() names folders that can never be a run cache", () => {
  const root = "/home/ann/app";
  assert.equal(unsafeCacheDir("/", root), "a system folder");
  assert.equal(unsafeCacheDir("/etc", root), "a system folder");
  assert.equal(unsafeCacheDir("/usr/local/lib", root), "a system folder");
  assert.equal(unsafeCacheDir("/tmp/", root), "a system folder");
  assert.equal(unsafeCacheDir("/home/ann", root, "/home/ann/"), "the home folder");
  assert.equal(unsafeCacheDir("/home/ann/app/", root), "the project root itself");
  assert.equal(unsafeCacheDir("/home/ann/app/.tracepatch_cache", root, "/home/ann"), null);
  assert.equal(unsafeCacheDir("/tmp/runs", root), null);
});

Deno.test("unsafeCacheDir() refuses an existing folder every user can write", () => {
  const dir = tempDir();
  const open = join(dir, "open");
  mkdirSync(open);
  chmodSync(open, 0o1777);
  assert.equal(unsafeCacheDir(open, dir), "a folder every user can write");
  chmodSync(open, 0o755);
  assert.equal(unsafeCacheDir(open, dir), null);
});

Deno.test("sharedFolder() and defaultCacheDir(): no cache of tph's choosing in /tmp", () => {
  const dir = tempDir();
  const xdg = join(dir, "xdg");
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = xdg;
  try {
    assert.equal(sharedFolder("/tmp"), "a folder every user can write");
    assert.equal(sharedFolder("/etc"), "a system folder");
    assert.equal(sharedFolder("/usr/local/bin/"), "a system folder");
    assert.equal(sharedFolder(dir), null);
    assert.deepEqual(defaultCacheDir(dir), { dir: join(dir, ".tracepatch_cache"), moved: null });
    const open = join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.equal(sharedFolder(open), "a folder every user can write");
    const picked = defaultCacheDir(open);
    assert.equal(picked.moved, "a folder every user can write");
    assert.match(picked.dir, new RegExp(`^${xdg}/tph/runs/open-[0-9a-f]{16}$`));
    // The same folder always maps to the same cache; another one to another.
    assert.equal(defaultCacheDir(open + "/").dir, picked.dir);
    assert.notEqual(defaultCacheDir("/tmp").dir, picked.dir);
    assert.match(defaultCacheDir("/").dir, /\/runs\/root-[0-9a-f]{16}$/);
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
});
