import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
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
  for (const ref of ["20261122T000000_000_future_beef00", "20261122T00", "run_20261122T00"]) {
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
    () => resolveHere("a1b2c4"),
    new StoreError('Cannot read run "a1b2c4": no such run in .tracepatch_cache'),
  );
  const empty = tempDir();
  assert.throws(() => resolveRunRef("last", join(empty, "c"), { cwd: empty }), {
    message: 'Cannot read run "last": no runs in c yet',
  });
});

/** A project whose cache holds the run fixture `ids` (of FIXTURE_IDS), and `files` as they are. */
function cacheOf(ids: string[], files: Record<string, string | Uint8Array> = {}) {
  const dir = tempDir();
  const cache = join(dir, ".tracepatch_cache");
  mkdirSync(cache);
  for (const id of ids) cpSync(file(id), join(cache, basename(file(id))));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(cache, name), bytes);
  const warnings: string[] = [];
  const at = (ref: string) =>
    resolveRunRef(ref, ".tracepatch_cache", { cwd: dir, warn: (m) => warnings.push(m) });
  return { cache, at, warnings };
}

Deno.test("resolveRunRef() takes a number as a run's number alone: past the end, an error, never an id prefix", () => {
  // One run: `2`, `20`, `2026` start its id, and used to name it.
  const { at } = cacheOf([FIXTURE_IDS[0]]);
  assert.equal(at("1"), at("last"));
  for (const ref of ["2", "20", "2026", "20261", "0"]) {
    const from = ref === "0" ? ", numbered from 1" : "";
    assert.throws(
      () => at(ref),
      new StoreError(
        `Cannot read run "${ref}": no run number ${Number(ref)} in .tracepatch_cache ` +
          `(it holds 1 run${from})`,
      ),
    );
  }
});

Deno.test("resolveRunRef() takes a part of an id from 6 characters on, a whole id at any length", () => {
  const { cache, at } = cacheOf([FIXTURE_IDS[0], "trace_request"], {
    "ab.json": readFileSync(file("trace_request")),
  });
  const path = (name: string) => join(cache, name);
  const server = path(`run_${FIXTURE_IDS[0]}.json`);
  assert.equal(at("202611"), server);
  assert.equal(at("c0ffee"), server);
  assert.equal(at("run_20261122"), server);
  assert.equal(at("trace_request"), path("trace_request.json"));
  assert.equal(at("ab"), path("ab.json"));
  for (const ref of ["2026x", "c0ffe", "ffee", "run_2026", "trace", "s"]) {
    assert.throws(
      () => at(ref),
      new StoreError(
        `Cannot read run "${ref}": no such run in .tracepatch_cache (give a run's number in ` +
          "tph logs, or at least 6 characters of its id)",
      ),
    );
  }
});

Deno.test("resolveRunRef() refuses last when the newest run cannot be read, naming it and the fix", () => {
  const cut = "run_20261130T000000_000_cut_abc123.tph";
  const empty = "run_20261130T000001_000_def456.tph";
  const newer = "run_20261130T000002_000_new_beef01.json";
  const truncated = new Uint8Array([...new TextEncoder().encode("TPHRUN\0"), 4, 1, 2, 3]);
  const fix = `give 1 for the newest run that can be read (${FIXTURE_IDS[0]})`;
  const cases: [Record<string, string | Uint8Array>, string][] = [
    [
      { [cut]: truncated },
      `.tracepatch_cache/${cut}, cannot be read: the run file is truncated (it was cut short); ` +
      `remove it, or ${fix}`,
    ],
    [
      { [cut]: truncated, [empty]: "" },
      `.tracepatch_cache/${empty}, cannot be read: the run file is empty (nothing was written ` +
      `to it); remove it, or ${fix}`,
    ],
    [
      { [cut]: truncated, [newer]: '{ "schema": 7, "timestamp": "2026-11-30T00:00:02.000Z" }' },
      `.tracepatch_cache/${newer}, cannot be read: written by schema 7, this tph reads up to ` +
      `1; upgrade tph, ${fix}`,
    ],
  ];
  for (const [files, why] of cases) {
    const { at, warnings } = cacheOf([FIXTURE_IDS[0], FIXTURE_IDS[1]], files);
    assert.throws(
      () => at("last"),
      new StoreError(`Cannot read run "last": the newest run, ${why}`),
    );
    // A number is the run tph logs shows under it, said to count from the newest that can be read.
    assert.match(at("1"), new RegExp(`${FIXTURE_IDS[0]}\\.json$`));
    assert.match(at("2"), new RegExp(`${FIXTURE_IDS[1]}\\.json$`));
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0],
      /^runs are numbered as tph logs lists them, from the newest that can be read: the newest run, /,
    );
  }
  // No run that can be read: the newest is named all the same.
  const { at } = cacheOf([], { [cut]: truncated });
  assert.throws(() => at("last"), {
    message: `Cannot read run "last": the newest run, .tracepatch_cache/${cut}, cannot be read: ` +
      "the run file is truncated (it was cut short); remove it",
  });
  // A run that cannot be read but is older than the newest that can is not in the way.
  const older = cacheOf([FIXTURE_IDS[0]], { "run_20261101T000000_000_abc123.tph": truncated });
  assert.equal(older.at("last"), join(older.cache, `run_${FIXTURE_IDS[0]}.json`));
  assert.deepEqual(older.warnings, []);
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
