// What `tph run` writes after the program: one summary line, --tree, -o, --no-cache,
// --cache-dir, --label, and two runs at once.

import { isRunFileName } from "../../_run_file.ts";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  exec,
  FIXTURES,
  lines,
  readRun,
  splitStderr,
  summaryOf,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

/** argv as one line for `sh -c`, each word in single quotes. */
function shellLine(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
}

const TREE_LINE = /^└── work\(n=21\) -> 42 {2}\[[\d.]+(µs|ms)\]$/;

function runFiles(cacheDir: string): string[] {
  return existsSync(cacheDir) ? readdirSync(cacheDir).filter(isRunFileName) : [];
}

export function runOutputTests(t: Target): void {
  Deno.test(`tph run ends with one summary line naming the saved run (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "completed.ts"], { cwd });
    assertCode(r, 0, "tph run completed.ts");
    assert.equal(r.stdout, "result 42\n");
    const stderr = lines(r.stderr);
    assert.equal(stderr.length, 1, `only the summary on stderr:\n${r.stderr}`);
    const { calls, saved, line } = summaryOf(r);
    assert.equal(calls, 1);
    assert.match(line, /^tph: 1 calls? recorded in [\d.]+s; saved /);
    assert.ok(line.endsWith("; view it with: tph tree last"), line);
    assert.equal(summaryOf(r).hint, "last");
    assert.match(saved, /^\.tracepatch_cache\/run_\d{8}T\d{6}_\d{3}_[0-9a-f]+\.tph$/);
    assert.equal(readRun(join(cwd, saved)).call_count, 1);
    // The cache folder ignores itself.
    const ignore = readFileSync(join(cwd, ".tracepatch_cache/.gitignore"), "utf8");
    assert.ok(lines(ignore).includes("*"), `.gitignore holds "*":\n${ignore}`);
  });

  Deno.test(`tph run --tree prints the call tree to stderr (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "--tree", "completed.ts"], { cwd });
    assertCode(r, 0, "tph run --tree completed.ts");
    assert.equal(r.stdout, "result 42\n", "the tree is not on stdout");
    const stderr = lines(r.stderr);
    assert.equal(stderr.length, 2, r.stderr);
    assert.match(stderr[0], TREE_LINE);
    summaryOf(r);
    // The same tree as `tph tree last` draws.
    const tree = await tph(t, ["tree", "last"], { cwd });
    assert.equal(tree.stdout, stderr[0] + "\n");
  });

  Deno.test(`tph run -o, --no-cache and --cache-dir choose where the run goes (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const [withOutput, onlyOutput, cacheDir] = await Promise.all([
      tph(t, ["run", "-o", "run-out.json", "completed.ts"], { cwd }),
      tph(t, ["run", "--no-cache", "--output", "only.json", "e/completed.ts"], {
        cwd: dir.path,
      }),
      tph(t, ["run", "--cache-dir", "../my cache", "completed.ts"], { cwd }),
    ]);
    // -o FILE: the JSON there, and in the cache as usual.
    assertCode(withOutput, 0, "tph run -o");
    const out = readRun(join(cwd, "run-out.json"));
    assert.equal(out.schema, 1);
    assert.equal(out.call_count, 1);
    assert.equal(out.trace[0].name, "work");
    assert.equal(out.run?.ended, "completed");
    assert.match(lines(withOutput.stderr).at(-1)!, /saved .+ and run-out\.json/);
    // --no-cache with -o: only the file.
    assertCode(onlyOutput, 0, "tph run --no-cache -o");
    assert.equal(readRun(join(dir.path, "only.json")).call_count, 1);
    assert.match(lines(onlyOutput.stderr).at(-1)!, /only\.json/);
    // --cache-dir DIR: the run is there, with its .gitignore, and read commands find it there.
    assertCode(cacheDir, 0, "tph run --cache-dir");
    const myCache = join(dir.path, "my cache");
    assert.equal(runFiles(myCache).length, 1);
    assert.ok(existsSync(join(myCache, ".gitignore")));
    const custom = summaryOf(cacheDir);
    assert.match(custom.saved, /^\.\.\/my cache\/run_.*\.tph$/);
    // `tph tree last` would look in the default cache: the line names the file instead, quoted
    // for a shell (it has a space).
    assert.equal(custom.hint, `'${custom.saved}'`);
    const fromHint = await exec(["sh", "-c", `${shellLine(t.tph)} tree ${custom.hint}`], { cwd });
    assertCode(fromHint, 0, `sh -c "tph tree ${custom.hint}"`);
    assert.match(fromHint.stdout, /^└── work\(n=21\) -> 42/);
    const logs = await tph(t, ["logs", "--json", "--cache-dir", "../my cache"], { cwd });
    assert.equal(JSON.parse(logs.stdout).length, 1);
    // The default cache holds the run of -o only.
    assert.equal(runFiles(join(cwd, ".tracepatch_cache")).length, 1);
  });

  Deno.test(`tph run's hint pastes into a shell, whatever the folder's name (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const names = ['it\'s $HOME; `x` & "y"', "my runs", "plain_runs"];
    const runs = await Promise.all(
      names.map((name) => tph(t, ["run", "--cache-dir", `../${name}`, "completed.ts"], { cwd })),
    );
    for (const [i, r] of runs.entries()) {
      assertCode(r, 0, `tph run --cache-dir ../${names[i]}`);
      const { hint, saved } = summaryOf(r);
      if (names[i] === "plain_runs") assert.equal(hint, saved, "a plain path is not quoted");
      else assert.notEqual(hint, saved);
      const shown = await exec(["sh", "-c", `${shellLine(t.tph)} tree ${hint}`], { cwd });
      assertCode(shown, 0, `sh -c "tph tree ${hint}"`);
      assert.match(shown.stdout, /^└── work\(n=21\) -> 42/);
    }
    // A cache folder whose path starts with "-" is not taken for an option.
    await using here = tempDir({ e: join(FIXTURES, "endings") });
    const inside = join(here.path, "e");
    const dash = await tph(t, ["run", "--cache-dir", "-runs", "completed.ts"], { cwd: inside });
    assertCode(dash, 0, "tph run --cache-dir -runs");
    const { hint } = summaryOf(dash);
    assert.match(hint, /^\.\/-runs\/run_.*\.tph$/);
    const shown = await exec(["sh", "-c", `${shellLine(t.tph)} tree ${hint}`], { cwd: inside });
    assertCode(shown, 0, `sh -c "tph tree ${hint}"`);
  });

  Deno.test(`tph run --no-cache saves nothing (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "--no-cache", "completed.ts"], { cwd });
    assertCode(r, 0, "tph run --no-cache");
    const stderr = lines(r.stderr);
    assert.equal(stderr.length, 1, r.stderr);
    assert.match(stderr[0], /^tph: 1 calls? recorded in [\d.]+s; not saved/);
    assert.ok(!existsSync(join(cwd, ".tracepatch_cache")), "no cache folder was made");
    assert.deepEqual(readdirSync(cwd).sort(), readdirSync(join(FIXTURES, "endings")).sort());
  });

  Deno.test(`tph run still runs the program when the cache folder cannot be made (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "--cache-dir", "completed.ts/runs", "completed.ts"], { cwd });
    assertCode(r, 0, "tph run with a cache folder under a file");
    assert.equal(r.stdout, "result 42\n");
    const stderr = lines(r.stderr);
    assert.equal(stderr.length, 2, r.stderr);
    assert.match(stderr[0], /^tph: Cannot save the run in ".*completed\.ts\/runs": /);
    assert.match(stderr[1], /^tph: 1 calls? recorded in [\d.]+s; not saved$/);
    assert.deepEqual(readdirSync(cwd).sort(), readdirSync(join(FIXTURES, "endings")).sort());
  });

  Deno.test(`tph run -o into a missing folder says so in one line (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "-o", "no/such/dir/run.json", "completed.ts"], { cwd });
    assertCode(r, 0, "tph run -o into a missing folder");
    const stderr = lines(r.stderr);
    assert.equal(stderr[0], 'tph: Cannot write "no/such/dir/run.json": its folder does not exist');
    assert.match(stderr[1], /^tph: 1 calls? recorded in [\d.]+s; saved \.tracepatch_cache\//);
  });

  Deno.test(`tph run --label shows in logs and in the file name (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "--label", "Nightly Build 7", "completed.ts"], { cwd });
    assertCode(r, 0, "tph run --label");
    const { saved } = summaryOf(r);
    assert.match(saved, /_nightly-build-7_[0-9a-f]+\.tph$/);
    const [logs, logsJson] = await Promise.all([
      tph(t, ["logs"], { cwd }),
      tph(t, ["logs", "--json"], { cwd }),
    ]);
    assert.match(lines(logs.stdout)[1], /Nightly Build 7/);
    assert.equal(JSON.parse(logsJson.stdout)[0].label, "Nightly Build 7");
  });

  Deno.test(`tph run: two runs started at the same time are both saved (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const rs = await Promise.all([
      tph(t, ["run", "completed.ts"], { cwd }),
      tph(t, ["run", "completed.ts"], { cwd }),
      tph(t, ["run", "exit3.ts"], { cwd }),
    ]);
    const saved = rs.map((r) => summaryOf(r).saved);
    assert.equal(new Set(saved).size, 3, `distinct files: ${saved}`);
    assert.equal(runFiles(join(cwd, ".tracepatch_cache")).length, 3);
    assert.deepEqual(
      runFiles(join(cwd, ".tracepatch_cache")).sort(),
      saved.map((s) => s.split("/")[1]).sort(),
    );
    const logs = await tph(t, ["logs", "--json"], { cwd });
    assert.equal(JSON.parse(logs.stdout).length, 3);
    assert.equal(splitStderr(logs.stderr).tph.length, 0, `no warnings:\n${logs.stderr}`);
  });
}
