// What tph keeps between runs and hands to the program's process lives in folders only the user
// can write: a transform cache that others can write is never used (its entries would run as the
// program's code), and the run's settings are written where nobody can plant a link.

import assert from "node:assert/strict";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { makePlanFile, removePlan, writePlan } from "../../../src/cli/launch/early_start.ts";
import { privateDir } from "../../../src/platform/files.ts";
import { type RuntimeName, runTraced } from "../../_harness.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tph-private-"));
}

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

for (const rt of ["deno", "bun"] as RuntimeName[]) {
  Deno.test(`a transform cache that others can write is not used, poisoned or not (${rt})`, () => {
    const dir = tempDir();
    try {
      const program = join(dir, "main.mjs");
      writeFileSync(program, "function hello() { return 'hello'; }\nconsole.log(hello());\n");
      const cache = join(dir, "cache");
      // A first run fills the cache (a folder of the user's own).
      const first = runTraced(rt, program, { transformCacheDir: cache });
      assert.equal(first.stdout, "hello\n", first.stderr);
      const entries = filesUnder(cache).filter((f) => f.endsWith(".js"));
      assert.ok(entries.length > 0, "the first run cached its instrumented file");
      // Someone else's hands: the folder is opened to all, and every entry replaced.
      chmodSync(cache, 0o777);
      for (const f of entries) writeFileSync(f, "console.log('poisoned');\n");
      const second = runTraced(rt, program, { transformCacheDir: cache });
      assert.equal(second.stdout, "hello\n", "the poisoned entry did not run");
      assert.match(second.stderr, /tph: warning: the transform cache is off .*other users/);
      assert.ok(second.trace && second.trace.call_count === 1, "still traced");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

Deno.test("privateDir() makes a folder 0700 and refuses one that is a link or open to others", () => {
  const dir = tempDir();
  try {
    const made = join(dir, "a/b");
    privateDir(made);
    assert.equal(statSync(made).mode & 0o777, 0o700);
    const open = join(dir, "open");
    privateDir(open);
    chmodSync(open, 0o775);
    assert.throws(() => privateDir(open), /can be written by other users/);
    const link = join(dir, "link");
    symlinkSync(made, link);
    assert.throws(() => privateDir(link), /not a folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test(
  {
    name: "privateDir() refuses a folder another user owns",
    ignore: process.getuid?.() !== 0,
  },
  () => {
    // Needs root to give a folder to another uid (CI runs as root).
    const dir = tempDir();
    try {
      const theirs = join(dir, "theirs");
      privateDir(theirs);
      Deno.chownSync(theirs, 1234, 1234);
      assert.throws(() => privateDir(theirs), /belongs to another user \(uid 1234\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

Deno.test("the run's settings go in a folder of their own, never through a planted link", () => {
  const file = makePlanFile();
  const victim = join(tempDir(), "victim.txt");
  writeFileSync(victim, "precious\n");
  try {
    const folder = dirname(file);
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(folder).toSorted(), ["key", "plan.json"]);
    // The run's key (hand_off.ts) and the settings: this user's alone.
    assert.equal(statSync(join(folder, "key")).mode & 0o777, 0o600);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const key = readFileSync(join(folder, "key"), "utf8");
    assert.match(key, /^[0-9a-f]{32}$/);
    // Were a link planted where the settings are written first, it is not followed.
    symlinkSync(victim, `${file}.tmp`);
    assert.throws(() => writePlan(file, { abort: true }), /exists|EEXIST/i);
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    rmSync(`${file}.tmp`);
    writePlan(file, { abort: true });
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), {
      abort: true,
      handOff: { dir: folder, key },
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    removePlan(file);
    assert.throws(() => statSync(folder), /ENOENT|No such file/);
  } finally {
    rmSync(dirname(victim), { recursive: true, force: true });
    rmSync(dirname(file), { recursive: true, force: true });
  }
});
