// A DENO_DIR of tph's for the traced program's process on Deno (src/program/deno_dir.ts): Deno's
// own rule for where the user's is, and tph's made of links to each of its folders.

import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoDirApart, userDenoDir } from "../../src/program/deno_dir.ts";

const FLAGS = "--v8-flags=--stack-size=3444";

Deno.test("the user's DENO_DIR: $DENO_DIR, else the OS cache folder's deno, as Deno finds it", () => {
  const home = "/home/u";
  assert.equal(userDenoDir({ DENO_DIR: "/d", HOME: home }, "/w", "linux"), "/d");
  assert.equal(userDenoDir({ DENO_DIR: "rel/d" }, "/w", "linux"), "/w/rel/d");
  assert.equal(userDenoDir({ DENO_DIR: "", HOME: home }, "/w", "linux"), "/home/u/.cache/deno");
  assert.equal(userDenoDir({ HOME: "/home/u/" }, "/w", "linux"), "/home/u/.cache/deno");
  assert.equal(userDenoDir({ XDG_CACHE_HOME: "/x", HOME: home }, "/w", "linux"), "/x/deno");
  // A relative XDG_CACHE_HOME is ignored, as the XDG rules say.
  assert.equal(
    userDenoDir({ XDG_CACHE_HOME: "x", HOME: home }, "/w", "linux"),
    "/home/u/.cache/deno",
  );
  assert.equal(userDenoDir({ HOME: home }, "/w", "darwin"), "/home/u/Library/Caches/deno");
  // Where it cannot be told: none (the program's process then uses the user's as it is).
  assert.equal(userDenoDir({ HOME: home }, "/w", "win32"), null);
  assert.equal(userDenoDir({}, "/w", "linux"), null);
});

/** A user's DENO_DIR with a folder, a file, a link to a folder elsewhere; and tph's base. */
function setUp(): { root: string; real: string; base: string; elsewhere: string } {
  const root = mkdtempSync(join(tmpdir(), "tph-deno-dir-"));
  const real = join(root, "deno");
  mkdirSync(join(real, "npm", "registry.npmjs.org"), { recursive: true });
  writeFileSync(join(real, "v8_code_cache_v2"), "the user's code cache");
  writeFileSync(join(real, "dep_analysis_cache_v2"), "");
  const elsewhere = join(root, "big disk", "remote");
  mkdirSync(elsewhere, { recursive: true });
  symlinkSync(elsewhere, join(real, "remote"));
  return { root, real, base: join(root, "tph"), elsewhere };
}

Deno.test("tph's DENO_DIR: a link to each folder of the user's, its files its own", () => {
  const { root, real, base } = setUp();
  try {
    const dir = denoDirApart(real, FLAGS, base)!;
    assert.ok(dir.startsWith(base + "/"));
    // The data folders Deno makes when first needed are made in the user's DENO_DIR first.
    for (const name of ["gen", "registries", "location_data"]) {
      assert.ok(lstatSync(join(real, name)).isDirectory(), `${name} made in the user's`);
    }
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, ["gen", "location_data", "npm", "registries", "remote"]);
    for (const name of names) {
      assert.ok(lstatSync(join(dir, name)).isSymbolicLink(), name);
      assert.equal(readlinkSync(join(dir, name)), join(real, name));
    }
    // The user's folder linked to another disk is reached through it.
    assert.ok(existsSync(join(dir, "remote")));
    assert.equal(lstatSync(dir).mode & 0o777, 0o700);
    // Again: the same folder, nothing changed; other flags or another DENO_DIR, another folder.
    assert.equal(denoDirApart(real, FLAGS, base), dir);
    assert.deepEqual(readdirSync(dir).sort(), names);
    assert.notEqual(denoDirApart(real, "--v8-flags=--stack-size=2000", base), dir);
    const other = join(root, "other deno");
    mkdirSync(other);
    assert.notEqual(denoDirApart(other, FLAGS, base), dir);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

Deno.test("tph's DENO_DIR: a link pointing elsewhere is made again, anything else refused", () => {
  const { root, real, base } = setUp();
  try {
    const dir = denoDirApart(real, FLAGS, base)!;
    rmSync(join(dir, "npm"));
    symlinkSync(join(root, "big disk"), join(dir, "npm"));
    assert.equal(denoDirApart(real, FLAGS, base), dir);
    assert.equal(readlinkSync(join(dir, "npm")), join(real, "npm"));
    // A folder where a link belongs may hold what a program wrote: the user's DENO_DIR is used.
    rmSync(join(dir, "location_data"));
    mkdirSync(join(dir, "location_data"));
    writeFileSync(join(dir, "location_data", "kept"), "a program's data");
    assert.equal(denoDirApart(real, FLAGS, base), null);
    assert.ok(existsSync(join(dir, "location_data", "kept")), "left as it was");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

Deno.test("tph's DENO_DIR: none where its folder or the user's data folders cannot be made", () => {
  if (Deno.uid() === 0) {
    // root writes in read-only folders: the refusal is checked through a file in the way.
    const { root, real } = setUp();
    try {
      const base = join(root, "a file");
      writeFileSync(base, "");
      assert.equal(denoDirApart(real, FLAGS, base), null);
      const blocked = join(root, "deno2");
      mkdirSync(blocked);
      writeFileSync(join(blocked, "location_data"), "not a folder");
      assert.equal(denoDirApart(blocked, FLAGS, join(root, "tph2")), null);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    return;
  }
  const { root, real, base } = setUp();
  try {
    mkdirSync(base);
    chmodSync(base, 0o500);
    assert.equal(denoDirApart(real, FLAGS, base), null);
    chmodSync(base, 0o700);
    const readOnly = join(root, "read-only deno");
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    assert.equal(denoDirApart(readOnly, FLAGS, base), null);
    chmodSync(readOnly, 0o700);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
