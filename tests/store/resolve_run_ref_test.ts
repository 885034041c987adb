import assert from "node:assert/strict";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot, scriptProjectRoot } from "../../src/store/project_root.ts";
import { resolveRunRef } from "../../src/store/resolve_run_ref.ts";
import { StoreError } from "../../src/run_file/store_error.ts";
import { FIXTURE_IDS, projectWithRuns, tempDir } from "./_cache.ts";

const { root, cacheDir } = projectWithRuns();
const file = (id: string) =>
  join(cacheDir, id.startsWith("trace_") ? `${id}.json` : `run_${id}.json`);
const resolveHere = (ref: string) => resolveRunRef(ref, ".tracepatch_cache", { cwd: root });

Deno.test("resolveRunRef() takes last and N as tph logs numbers runs", () => {
  assert.equal(resolveHere("last"), file(FIXTURE_IDS[0]));
  FIXTURE_IDS.forEach((id, i) => assert.equal(resolveHere(String(i + 1)), file(id)));
  assert.throws(
    () => resolveHere("9"),
    new StoreError('Cannot read run "9": no run number 9 in .tracepatch_cache (it holds 4 runs)'),
  );
});

Deno.test("resolveRunRef() takes a run id or a unique prefix of one", () => {
  assert.equal(resolveHere("20261120T091500_042_checkout_a1b2c3"), file(FIXTURE_IDS[2]));
  assert.equal(resolveHere("20261120"), file(FIXTURE_IDS[2]));
  assert.equal(resolveHere("run_20261121T1015"), file(FIXTURE_IDS[1]));
  assert.equal(resolveHere("trace_"), file("trace_request"));
});

Deno.test("resolveRunRef() takes the hex end of an id, as tph run shows it", () => {
  assert.equal(resolveHere("a1b2c3"), file(FIXTURE_IDS[2]));
  assert.equal(resolveHere("checkout_a1b2c3"), file(FIXTURE_IDS[2]));
  // Only a whole part after an `_`: the end of the hex alone names nothing.
  assert.throws(() => resolveHere("b2c3"), { message: /^Cannot read run "b2c3": no such run/ });
});

Deno.test("resolveRunRef() says why a run it has by id cannot be read", () => {
  const upgrade = "written by schema 7, this tph reads up to 1; upgrade tph";
  for (const ref of ["20261123T000000_000_future_beef00", "20261123", "run_20261123T00"]) {
    assert.throws(() => resolveHere(ref), new StoreError(`Cannot read run "${ref}": ${upgrade}`));
  }
  assert.throws(() => resolveHere("20261121T120000_000_broken"), {
    message: /^Cannot read run "20261121T120000_000_broken": invalid JSON \(/,
  });
});

Deno.test("resolveRunRef() refuses an ambiguous prefix, with the count", () => {
  assert.throws(
    () => resolveHere("202611"),
    new StoreError(
      'Cannot read run "202611": 3 runs in .tracepatch_cache start with it; type more of the id',
    ),
  );
});

Deno.test("resolveRunRef() takes file paths relative to cwd, and bare file names in the cache", () => {
  const name = `run_${FIXTURE_IDS[1]}.json`;
  assert.equal(resolveHere(`.tracepatch_cache/${name}`), file(FIXTURE_IDS[1]));
  assert.equal(resolveHere(name), file(FIXTURE_IDS[1]));
  mkdirSync(join(root, "elsewhere"));
  cpSync(file(FIXTURE_IDS[0]), join(root, "elsewhere", "copy.json"));
  assert.equal(resolveHere("elsewhere/copy.json"), join(root, "elsewhere", "copy.json"));
  assert.throws(() => resolveHere("elsewhere/gone.json"), {
    message: 'Cannot read run "elsewhere/gone.json": file not found',
  });
  assert.throws(() => resolveHere("gone.json"), {
    message: 'Cannot read run "gone.json": file not found here or in .tracepatch_cache',
  });
  // A run file of tph's format named by its name in the working folder is that file.
  cpSync(file(FIXTURE_IDS[0]), join(root, "copy.tph"));
  assert.equal(resolveHere("copy.tph"), join(root, "copy.tph"));
  assert.throws(() => resolveHere("gone.tph"), {
    message: 'Cannot read run "gone.tph": file not found here or in .tracepatch_cache',
  });
});

Deno.test("resolveRunRef() names the cache folder when nothing matches", () => {
  assert.throws(
    () => resolveHere("a1b2"),
    new StoreError('Cannot read run "a1b2": no such run in .tracepatch_cache'),
  );
  const empty = tempDir();
  assert.throws(() => resolveRunRef("last", join(empty, "c"), { cwd: empty }), {
    message: 'Cannot read run "last": no runs in c yet',
  });
});

Deno.test("findProjectRoot() finds the nearest folder with a project marker", () => {
  const nested = join(root, "src", "deep");
  mkdirSync(nested, { recursive: true });
  assert.equal(findProjectRoot(nested), root);
  const bare = tempDir();
  mkdirSync(join(bare, "a", ".git"), { recursive: true });
  mkdirSync(join(bare, "a", "b"));
  assert.equal(findProjectRoot(join(bare, "a", "b")), join(bare, "a"));
});

Deno.test("scriptProjectRoot() of a script inside node_modules is the project's, not the package's", () => {
  const bin = join(root, "node_modules", "tape", "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(root, "node_modules", "tape", "package.json"), "{}");
  assert.equal(findProjectRoot(bin), join(root, "node_modules", "tape"));
  assert.equal(scriptProjectRoot(join(bin, "tape")), root);
  assert.equal(scriptProjectRoot(join(root, "node_modules", ".bin", "tape")), root);
  assert.equal(scriptProjectRoot(join(root, "src", "main.ts")), root);
});
