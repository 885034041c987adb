// The run cache as the read commands see it: logs (order, --json, --limit, bad files), and the
// ways view/tree name a run (path, last, N, id prefix) with their one-line errors.

import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  FIXTURES,
  lines,
  readRun,
  type Result,
  splitStderr,
  summaryOf,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

/** Assert a one-line failure: exit 1, nothing on stdout, one `tph: …` line on stderr. */
function assertOneLineError(r: Result, pattern: RegExp, what: string): void {
  assertCode(r, 1, what);
  assert.equal(r.stdout, "", `${what}: nothing on stdout`);
  const err = lines(r.stderr).filter((l) => !l.startsWith("tph: warning: "));
  assert.equal(err.length, 1, `${what}: one line on stderr:\n${r.stderr}`);
  assert.match(err[0], pattern, what);
}

/** Three runs saved one after the other (the newest last): their file names. */
async function threeRuns(t: Target, cwd: string): Promise<string[]> {
  const saved: string[] = [];
  for (const [label, script] of [["one", "completed.ts"], ["two", "exit3.ts"]] as const) {
    saved.push(summaryOf(await tph(t, ["run", "--label", label, script], { cwd })).saved);
  }
  saved.push(summaryOf(await tph(t, ["run", "completed.ts"], { cwd })).saved);
  return saved.map((s) => s.replace(/^\.tracepatch_cache\//, ""));
}

export function cacheTests(t: Target): void {
  Deno.test(`tph logs lists runs newest first, as a table and as JSON (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const empty = await tph(t, ["logs"], { cwd });
    assertCode(empty, 0, "tph logs (no runs)");
    assert.match(empty.stdout, /No runs/);
    const files = await threeRuns(t, cwd);
    const [table, json, limited, limitedJson] = await Promise.all([
      tph(t, ["logs"], { cwd }),
      tph(t, ["logs", "--json"], { cwd }),
      tph(t, ["logs", "--limit", "2"], { cwd }),
      tph(t, ["logs", "--json", "--limit", "1"], { cwd }),
    ]);
    assertCode(table, 0, "tph logs");
    assert.equal(table.stderr, "");
    const rows = lines(table.stdout);
    assert.match(
      rows[0],
      /^#\s+id\s+time\s+label\s+command\s+calls\s+size\s+limited\s+ended\s+options$/,
    );
    assert.equal(rows.length, 4, table.stdout);
    const ids = files.map((f) => f.replace(/^run_/, "").replace(/\.(?:json|tph)$/, ""));
    assert.match(
      rows[1],
      new RegExp(`^1\\s+${ids[2]}\\s.*completed\\.ts\\s+1\\s+[\\d.]+ k?B\\s+no\\s+ok`),
    );
    assert.match(
      rows[2],
      new RegExp(`^2\\s+${ids[1]}\\s.*two\\s+exit3\\.ts\\s+3\\s+[\\d.]+ k?B\\s+no\\s+exit 3`),
    );
    assert.match(rows[3], new RegExp(`^3\\s+${ids[0]}\\s.*one\\s+completed\\.ts`));
    // --json: the same runs, with their metadata and without the call trees.
    const list = JSON.parse(json.stdout);
    assert.deepEqual(list.map((e: { id: string }) => e.id), [...ids].reverse());
    assert.deepEqual(list.map((e: { n: number }) => e.n), [1, 2, 3]);
    assert.equal(list[1].label, "two");
    assert.equal(list[1].call_count, 3);
    assert.equal(list[1].run.ended, "exit");
    assert.equal(list[1].trace, undefined);
    // --limit N
    assertCode(limited, 0, "tph logs --limit 2");
    assert.equal(lines(limited.stdout).filter((l) => /^\d/.test(l)).length, 2, limited.stdout);
    assert.match(limited.stdout, /1 older run/);
    assert.deepEqual(JSON.parse(limitedJson.stdout).map((e: { id: string }) => e.id), [ids[2]]);
  });

  Deno.test(`tph logs in a project without runs says how to record one (${t.name})`, async () => {
    await using empty = tempDir();
    writeFileSync(join(empty.path, "deno.json"), "{}");
    const r = await tph(t, ["logs"], { cwd: empty.path });
    assertCode(r, 0, "tph logs");
    assert.equal(r.stdout, "No runs in .tracepatch_cache yet. Record one with: tph run <script>\n");
    assert.equal(r.stderr, "");
  });

  Deno.test(`tph logs skips corrupt and foreign files with a warning (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const files = await threeRuns(t, cwd);
    const cache = join(cwd, ".tracepatch_cache");
    writeFileSync(join(cache, "run_20200101T000000_000_corrupt.json"), '{"schema": 1, "trace": [');
    writeFileSync(join(cache, "package.json"), JSON.stringify({ name: "not-a-run" }));
    const r = await tph(t, ["logs", "--json"], { cwd });
    assertCode(r, 0, "tph logs --json");
    assert.deepEqual(
      JSON.parse(r.stdout).map((e: { path: string }) => e.path.split("/").pop()),
      [...files].reverse(),
    );
    const warnings = lines(r.stderr);
    assert.equal(warnings.length, 2, r.stderr);
    assert.ok(
      warnings.some((w) =>
        /^tph: warning: Skipping "run_20200101T000000_000_corrupt\.json"/.test(w)
      ),
      r.stderr,
    );
    assert.ok(warnings.some((w) => /^tph: warning: Skipping "package\.json"/.test(w)), r.stderr);
    // The table, and view/tree by number, still work around them.
    const [table, view] = await Promise.all([
      tph(t, ["logs"], { cwd }),
      tph(t, ["view", "2"], { cwd }),
    ]);
    assertCode(table, 0, "tph logs");
    assert.equal(lines(table.stdout).length, 4);
    assertCode(view, 0, "tph view 2");
    assert.match(view.stdout, /exit3\.ts/);
  });

  Deno.test(`tph view refuses a run written by a newer schema (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const [file] = await threeRuns(t, cwd);
    const cache = join(cwd, ".tracepatch_cache");
    const run = readRun(join(cache, file));
    writeFileSync(join(dir.path, "future.json"), JSON.stringify({ ...run, schema: 99 }));
    const [view, tree] = await Promise.all([
      tph(t, ["view", "../future.json"], { cwd }),
      tph(t, ["tree", join(dir.path, "future.json")], { cwd }),
    ]);
    for (const r of [view, tree]) {
      assertOneLineError(
        r,
        /^tph: Cannot read run "[^"]*future\.json": written by schema 99\b/,
        "schema 99",
      );
    }
    // In the cache, logs skips it with a warning.
    writeFileSync(
      join(cache, "run_20990101T000000_000_future.json"),
      JSON.stringify({
        ...run,
        schema: 99,
      }),
    );
    const logs = await tph(t, ["logs", "--json"], { cwd });
    assert.equal(JSON.parse(logs.stdout).length, 3);
    assert.match(
      logs.stderr,
      /^tph: warning: Skipping "run_20990101T000000_000_future\.json": .*schema 99/m,
    );
    // Named by its id (or a prefix of it), it is not "no such run": upgrade tph.
    const byId = await Promise.all([
      tph(t, ["view", "20990101T000000_000_future"], { cwd }),
      tph(t, ["tree", "20990101"], { cwd }),
    ]);
    for (const r of byId) {
      assertOneLineError(
        r,
        /^tph: Cannot read run "(20990101T000000_000_future|20990101)": written by schema 99, .*; upgrade tph$/,
        "schema 99 by id",
      );
    }
  });

  Deno.test(`tph view and tree accept a path, last, N and an id prefix (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const files = await threeRuns(t, cwd);
    const id = (f: string) => f.replace(/^run_/, "").replace(/\.(?:json|tph)$/, "");
    const unique = id(files[1]); // the run labelled "two"
    const refs: [string, string][] = [
      [`.tracepatch_cache/${files[1]}`, files[1]],
      [join(cwd, ".tracepatch_cache", files[0]), files[0]],
      ["last", files[2]],
      ["1", files[2]],
      ["2", files[1]],
      ["3", files[0]],
      [unique, files[1]],
      [unique.slice(0, unique.length - 2), files[1]],
      [`run_${unique}`, files[1]],
    ];
    const views = await Promise.all(refs.map(([ref]) => tph(t, ["view", ref, "--json"], { cwd })));
    refs.forEach(([ref, file], i) => {
      assertCode(views[i], 0, `tph view ${ref} --json`);
      const meta = JSON.parse(views[i].stdout);
      assert.equal(meta.path.split("/").pop(), file, `view ${ref}`);
      assert.equal(typeof meta.call_count, "number", "view --json has call_count");
      assert.equal(meta.trace, undefined, "view --json has no trace");
    });
    assert.equal(JSON.parse(views[4].stdout).call_count, 3);
    const [text, treeLast, treeTwo, treePath] = await Promise.all([
      tph(t, ["view", "2"], { cwd }),
      tph(t, ["tree", "last"], { cwd }),
      tph(t, ["tree", unique.slice(0, -1)], { cwd }),
      tph(t, ["tree", `.tracepatch_cache/${files[0]}`, "--no-args", "--no-return"], { cwd }),
    ]);
    assertCode(text, 0, "tph view 2");
    assert.match(text.stdout, /exit3\.ts/);
    assert.match(text.stdout, /two/);
    assert.match(treeLast.stdout, /^└── work\(n=21\) -> 42 {2}\[/);
    assert.match(treeTwo.stdout, /leave\(code=3\)/);
    assert.match(treePath.stdout, /^└── work\(\) {2}\[/);
  });

  Deno.test(`tph view and tree give one-line errors for unknown runs (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const noRuns = await tph(t, ["view", "last"], { cwd });
    assertOneLineError(noRuns, /^tph: Cannot read run "last": /, "view last with no runs");
    const files = await threeRuns(t, cwd);
    // What the ids of the three runs have in common: an ambiguous prefix.
    let prefix = files[0].slice(4, 12);
    while (!files.every((f) => f.startsWith(`run_${prefix}`))) prefix = prefix.slice(0, -1);
    assert.ok(prefix.length >= 4, `the runs share a prefix: ${files}`);
    const [ambiguous, missing, number, path, treeMissing] = await Promise.all([
      tph(t, ["view", prefix], { cwd }),
      tph(t, ["view", "zzzz"], { cwd }),
      tph(t, ["view", "9"], { cwd }),
      tph(t, ["view", "no/such/run.json"], { cwd }),
      tph(t, ["tree", "zzzz"], { cwd }),
    ]);
    assertOneLineError(
      ambiguous,
      new RegExp(`^tph: Cannot read run "${prefix}": .*3 runs`),
      "ambiguous",
    );
    assertOneLineError(missing, /^tph: Cannot read run "zzzz": no such run/, "missing");
    assertOneLineError(number, /^tph: Cannot read run "9": /, "number");
    assertOneLineError(path, /^tph: Cannot read run "no\/such\/run\.json": file not found/, "path");
    assertOneLineError(treeMissing, /^tph: Cannot read run "zzzz": no such run/, "tree missing");
    assert.equal(splitStderr(missing.stderr).program, "");
    assert.equal(readdirSync(join(cwd, ".tracepatch_cache")).length, 4, "nothing was written");
  });
}
