// Keeping the run cache in bounds: `tph clean` (--keep, --older-than, --all, --dry-run, the usage
// errors, files that are not runs left alone, a run that cannot be removed), `max_runs` and
// `max_cache_mb` applied by `tph run` after it stores a run, and the size column of `tph logs`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { FIXTURE_IDS } from "../../store/_cache.ts";
import {
  assertCode,
  lines,
  projectWithRuns,
  RUN_FIXTURES,
  splitStderr,
  summaryOf,
  type Target,
  tph,
} from "./_cli.ts";

const ROOT = process.getuid?.() === 0;

/** The fixture runs' file sizes, by id. */
const SIZES: Record<string, string> = {
  [FIXTURE_IDS[0]]: "1.8 kB",
  [FIXTURE_IDS[1]]: "3.3 kB",
  [FIXTURE_IDS[2]]: "5.4 kB",
  [FIXTURE_IDS[3]]: "1.0 kB",
};

/** The file name of a fixture run, by id. */
const fileOf = (id: string) => id === "trace_request" ? "trace_request.json" : `run_${id}.json`;

/**
 * A project whose cache holds the fixture runs and things that are not runs: the fixtures' own
 * (a broken run, a newer schema, settings.json, notes.txt), a folder and a link named like runs,
 * and tph's temporary files of runs being written (one of them hours old).
 */
function projectWithClutter() {
  const project = projectWithRuns();
  const cache = join(project.root, ".tracepatch_cache");
  mkdirSync(join(cache, "run_20200101T000000_000_dir_aaaaaa.json"));
  writeFileSync(join(cache, "run_20200101T000000_000_dir_aaaaaa.json", "inside.txt"), "x");
  copyFileSync(join(RUN_FIXTURES, fileOf(FIXTURE_IDS[2])), join(project.root, "outside.json"));
  symlinkSync(
    join(project.root, "outside.json"),
    join(cache, "run_20200101T000000_000_link_bbbbbb.json"),
  );
  const temps = [".run.4242.0a1b2c3d.tmp", ".run_20261123T000000_000_x.json.0a1b2c3d.tmp"];
  for (const name of temps) {
    copyFileSync(join(RUN_FIXTURES, fileOf(FIXTURE_IDS[0])), join(cache, name));
  }
  const old = new Date(Date.now() - 5 * 3_600_000);
  utimesSync(join(cache, temps[0]), old, old);
  return Object.assign(project, { cache, everything: readdirSync(cache).sort() });
}

/** What is left in the cache folder, sorted. */
function left(cache: string): string[] {
  return readdirSync(cache).sort();
}

/** `everything` without the runs of these ids. */
function without(everything: string[], ids: string[]): string[] {
  const gone = new Set(ids.map(fileOf));
  return everything.filter((n) => !gone.has(n));
}

/** The `Removed <id>  <size>` (or `Would remove …`) lines of tph clean's output. */
function removedLines(stdout: string, verb = "Removed"): [string, string][] {
  return lines(stdout).filter((l) => l.startsWith(`${verb} `) && !/ runs? from /.test(l))
    .map((l) => {
      const m = new RegExp(`^${verb} (\\S+) +(\\d+(?:\\.\\d)? k?B)$`).exec(l);
      assert.ok(m, `a line "${verb} <id>  <size>": ${l}`);
      return [m[1], m[2]];
    });
}

export function cleanTests(t: Target): void {
  Deno.test(`tph clean counts the exports it removes beside the runs, and what they freed (${t.name})`, async () => {
    await using project = projectWithClutter();
    // What the runs alone free, as a dry run counts them.
    const dry = await tph(t, ["clean", "--all", "--dry-run"], { cwd: project.root });
    const runs = Number(/\((\d+) bytes\)/.exec(lines(dry.stdout).at(-1)!)![1]);
    const runPath = join(project.cache, `run_${FIXTURE_IDS[0]}.json`);
    // An export and a page beside the newest run, as tph export and tph view --html write them.
    writeFileSync(runPath.replace(/\.json$/, ".chrome.json"), "x".repeat(1000));
    writeFileSync(runPath.replace(/\.json$/, ".html"), "y".repeat(500));
    const r = await tph(t, ["clean", "--all"], { cwd: project.root });
    assertCode(r, 0, "tph clean --all");
    assert.match(
      lines(r.stdout).at(-1)!,
      new RegExp(
        `^Removed 4 runs and 2 exports beside them from \\.tracepatch_cache, .* \\(${
          runs + 1500
        } bytes\\) freed; 0 runs left$`,
      ),
    );
  });

  Deno.test(
    `tph clean --keep N removes all but the N newest runs, oldest first, and nothing else (${t.name})`,
    async () => {
      await using project = projectWithClutter();
      const r = await tph(t, ["clean", "--keep", "1"], { cwd: project.root });
      assertCode(r, 0, "tph clean --keep 1");
      const gone = [FIXTURE_IDS[3], FIXTURE_IDS[2], FIXTURE_IDS[1]];
      assert.deepEqual(removedLines(r.stdout), gone.map((id) => [id, SIZES[id]]));
      assert.equal(
        lines(r.stdout).at(-1),
        "Removed 3 runs from .tracepatch_cache, 9.7 kB (9749 bytes) freed; 1 run left",
      );
      assert.equal(lines(r.stdout).length, 4, r.stdout);
      // The files it skips are named as tph logs names them.
      assert.match(r.stderr, /^tph: warning: Skipping "settings\.json": not a tph run/m);
      assert.deepEqual(left(project.cache), without(project.everything, gone));
      // The link's target and the folder's content are untouched.
      assert.ok(lstatSync(join(project.root, "outside.json")).isFile());
      assert.ok(lstatSync(join(project.cache, "run_20200101T000000_000_link_bbbbbb.json")));
      const logs = await tph(t, ["logs", "--json"], { cwd: project.root });
      assert.deepEqual(JSON.parse(logs.stdout).map((e: { id: string }) => e.id), [FIXTURE_IDS[0]]);
      // Within the bound already: nothing to do.
      const again = await tph(t, ["clean", "--keep", "1"], { cwd: project.root });
      assertCode(again, 0, "tph clean --keep 1 (again)");
      assert.equal(again.stdout, "No runs to remove (1 run in .tracepatch_cache).\n");
    },
  );

  Deno.test(`tph clean --older-than removes runs older than the duration (${t.name})`, async () => {
    await using project = projectWithClutter();
    // Hours since 2026-11-21 00:00 UTC: between the fixtures of 11-20 and 11-21.
    const hours = Math.ceil((Date.now() - Date.parse("2026-11-21T00:00:00Z")) / 3_600_000);
    const r = await tph(t, ["clean", "--older-than", `${hours}h`], { cwd: project.root });
    assertCode(r, 0, `tph clean --older-than ${hours}h`);
    const gone = [FIXTURE_IDS[3], FIXTURE_IDS[2]];
    assert.deepEqual(removedLines(r.stdout), gone.map((id) => [id, SIZES[id]]));
    assert.match(lines(r.stdout).at(-1)!, /^Removed 2 runs from .*, 6\.5 kB \(6469 bytes\) freed/);
    assert.deepEqual(left(project.cache), without(project.everything, gone));
    // Days and weeks: none of the fixtures is a year old.
    const none = await tph(t, ["clean", "--older-than", "52w"], { cwd: project.root });
    assertCode(none, 0, "tph clean --older-than 52w");
    assert.equal(none.stdout, "No runs to remove (2 runs in .tracepatch_cache).\n");
  });

  Deno.test(
    `tph clean with --keep and --older-than removes what breaks either bound (${t.name})`,
    async () => {
      await using project = projectWithClutter();
      const hours = Math.ceil((Date.now() - Date.parse("2026-11-21T00:00:00Z")) / 3_600_000);
      // --keep 3 alone removes the oldest; --older-than alone the two oldest: both hold after.
      const r = await tph(t, ["clean", "--keep", "3", "--older-than", `${hours}h`], {
        cwd: project.root,
      });
      assertCode(r, 0, "tph clean --keep 3 --older-than");
      assert.deepEqual(removedLines(r.stdout).map(([id]) => id), [FIXTURE_IDS[3], FIXTURE_IDS[2]]);
      const r2 = await tph(t, ["clean", "--keep", "1", "--older-than", "52w"], {
        cwd: project.root,
      });
      assert.deepEqual(removedLines(r2.stdout).map(([id]) => id), [FIXTURE_IDS[1]]);
    },
  );

  Deno.test(
    `tph clean --all removes every run; --dry-run only lists them (${t.name})`,
    async () => {
      await using project = projectWithClutter();
      const dry = await tph(t, ["clean", "--all", "--dry-run"], { cwd: project.root });
      assertCode(dry, 0, "tph clean --all --dry-run");
      assert.deepEqual(
        removedLines(dry.stdout, "Would remove"),
        [...FIXTURE_IDS].reverse().map((id) => [id, SIZES[id]]),
      );
      assert.equal(
        lines(dry.stdout).at(-1),
        "Would remove 4 runs from .tracepatch_cache, 11.5 kB (11532 bytes); " +
          "nothing was removed (--dry-run)",
      );
      assert.deepEqual(left(project.cache), project.everything);
      const r = await tph(t, ["clean", "--all"], { cwd: project.root });
      assertCode(r, 0, "tph clean --all");
      assert.equal(removedLines(r.stdout).length, 4, r.stdout);
      assert.match(lines(r.stdout).at(-1)!, /^Removed 4 runs .* freed; 0 runs left$/);
      assert.deepEqual(left(project.cache), without(project.everything, FIXTURE_IDS));
      // What is left: every file that is not a run of tph's, and the runs being written.
      assert.ok(left(project.cache).includes(".run.4242.0a1b2c3d.tmp"));
      assert.ok(left(project.cache).includes("run_20200101T000000_000_dir_aaaaaa.json"));
      const logs = await tph(t, ["logs"], { cwd: project.root });
      assert.match(logs.stdout, /^No runs in \.tracepatch_cache yet/);
      // --cache-dir: another folder's runs.
      mkdirSync(join(project.root, "elsewhere"));
      for (const id of FIXTURE_IDS) {
        copyFileSync(join(RUN_FIXTURES, fileOf(id)), join(project.root, "elsewhere", fileOf(id)));
      }
      const other = await tph(t, ["clean", "--keep", "2", "--cache-dir", "elsewhere"], {
        cwd: project.root,
      });
      assertCode(other, 0, "tph clean --keep 2 --cache-dir elsewhere");
      assert.match(lines(other.stdout).at(-1)!, /^Removed 2 runs from elsewhere, /);
      assert.deepEqual(
        left(join(project.root, "elsewhere")),
        [fileOf(FIXTURE_IDS[1]), fileOf(FIXTURE_IDS[0])].sort(),
      );
    },
  );

  Deno.test(
    `tph clean refuses to run without a selector or with a bad one, removing nothing (${t.name})`,
    async () => {
      await using project = projectWithRuns();
      const cache = join(project.root, ".tracepatch_cache");
      const before = left(cache);
      const cases: [string[], string][] = [
        [[], "say which runs to remove: --keep N, --older-than DURATION or --all"],
        [["--dry-run"], "say which runs to remove: --keep N, --older-than DURATION or --all"],
        [["--keep", "-1"], '--keep takes a whole number, got "-1"'],
        [["--keep", "x"], '--keep takes a whole number, got "x"'],
        [["--keep", "1.5"], '--keep takes a whole number, got "1.5"'],
        ...["30", "1.5d", "30x", "0d", "1y", "-2w", "3 d", ""].map((d): [string[], string] => [
          ["--older-than", d],
          `--older-than takes a duration such as 30d, 12h, 90m or 2w, got "${d}"`,
        ]),
        [
          ["--all", "--keep", "1"],
          "--all removes every run: give it without --keep or --older-than",
        ],
        [["--all", "extra"], 'unexpected argument "extra" for "clean"'],
        [
          ["--all", "--cache-dir", "."],
          `Cannot clean "${project.root}": it is the project root itself, not a run cache`,
        ],
      ];
      const results = await Promise.all(
        cases.map(([args]) => tph(t, ["clean", ...args], { cwd: project.root })),
      );
      cases.forEach(([args, message], i) => {
        const r = results[i];
        const what = `tph clean ${args.join(" ")}`;
        assertCode(r, 2, what);
        assert.equal(r.stdout, "", what);
        assert.deepEqual(
          lines(r.stderr),
          [`tph: ${message}`, 'Run "tph help clean" for usage.'],
          what,
        );
      });
      assert.deepEqual(left(cache), before);
    },
  );

  Deno.test({
    name: `tph clean warns about a run it cannot remove, removes the others, exits 1 (${t.name})`,
    // A file that is a mount point cannot be removed (EBUSY), even by root.
    ignore: !ROOT,
    fn: async () => {
      await using project = projectWithRuns();
      const cache = join(project.root, ".tracepatch_cache");
      const stuck = join(cache, fileOf(FIXTURE_IDS[2]));
      const mount = spawnSync("mount", ["--bind", stuck, stuck], { timeout: 10_000 });
      assert.equal(mount.status, 0, `mount --bind: ${mount.stderr}`);
      try {
        const r = await tph(t, ["clean", "--all"], { cwd: project.root });
        assertCode(r, 1, "tph clean --all with a busy run");
        assert.deepEqual(
          removedLines(r.stdout).map(([id]) => id),
          [FIXTURE_IDS[3], FIXTURE_IDS[1], FIXTURE_IDS[0]],
        );
        assert.match(lines(r.stdout).at(-1)!, /^Removed 3 runs .* freed; 1 run left$/);
        const warnings = lines(r.stderr).filter((l) => !/Skipping/.test(l));
        assert.deepEqual(warnings, [
          `tph: warning: Cannot remove ".tracepatch_cache/${
            fileOf(FIXTURE_IDS[2])
          }": device or resource busy`,
        ]);
      } finally {
        spawnSync("umount", ["-l", stuck], { timeout: 10_000 });
      }
      assert.deepEqual(
        left(cache).filter((n) => n.endsWith(".json") && !/broken|future|settings/.test(n)),
        [fileOf(FIXTURE_IDS[2])],
      );
    },
  });

  Deno.test(
    `tph run keeps the cache within max_runs and max_cache_mb, never removing the new run (${t.name})`,
    async () => {
      await using project = projectWithClutter();
      const cwd = project.root;
      writeFileSync(join(cwd, "main.js"), "function f() { return 1; }\nf();\n");
      const ids = async () =>
        JSON.parse((await tph(t, ["logs", "--json"], { cwd })).stdout).map((e: { id: string }) =>
          e.id
        );
      const runWith = async (toml: string) => {
        writeFileSync(join(cwd, "tracepatch.toml"), toml);
        const r = await tph(t, ["run", "main.js"], { cwd });
        assertCode(r, 0, `tph run with ${toml}`);
        const saved = summaryOf(r).saved.replace(/^\.tracepatch_cache\/run_|\.(?:json|tph)$/g, "");
        return { own: splitStderr(r.stderr).tph, saved };
      };
      // max_cache_mb: the newest runs that fit in 6.5 kB stay (the new one, 1.8 kB, 3.3 kB).
      const bytes = await runWith("max_cache_mb = 0.0065\n");
      assert.equal(bytes.own[0], "tph: removed 2 old runs from the cache (max_cache_mb = 0.0065)");
      assert.deepEqual(await ids(), [bytes.saved, FIXTURE_IDS[0], FIXTURE_IDS[1]]);
      // No bound: nothing is removed, nothing said.
      const free = await runWith("");
      assert.equal(free.own.length, 1, free.own.join("\n"));
      assert.deepEqual(await ids(), [free.saved, bytes.saved, FIXTURE_IDS[0], FIXTURE_IDS[1]]);
      // max_runs.
      const count = await runWith("max_runs = 2\n");
      assert.equal(count.own[0], "tph: removed 3 old runs from the cache (max_runs = 2)");
      assert.deepEqual(await ids(), [count.saved, free.saved]);
      // A bound the new run alone breaks: it stays, the others go.
      const tiny = await runWith("max_runs = 5\nmax_cache_mb = 0.000001\n");
      assert.equal(
        tiny.own[0],
        "tph: removed 2 old runs from the cache (max_runs = 5, max_cache_mb = 0.000001)",
      );
      assert.deepEqual(await ids(), [tiny.saved]);
      // Files that are not runs, and runs being written, are left alone.
      for (const name of project.everything.filter((n) => !n.endsWith(".json"))) {
        if (name === ".run.4242.0a1b2c3d.tmp") continue; // an hour old: tph run sweeps it
        assert.ok(left(project.cache).includes(name), `${name} is still there`);
      }
      for (const name of ["settings.json", "run_20200101T000000_000_link_bbbbbb.json"]) {
        assert.ok(left(project.cache).includes(name), `${name} is still there`);
      }
    },
  );

  Deno.test(`tph logs shows each run's size; --json has it in bytes (${t.name})`, async () => {
    await using project = projectWithRuns();
    const [table, json] = await Promise.all([
      tph(t, ["logs"], { cwd: project.root, env: { TZ: "UTC" } }),
      tph(t, ["logs", "--json"], { cwd: project.root }),
    ]);
    assertCode(table, 0, "tph logs");
    const rows = lines(table.stdout);
    assert.match(rows[0], /^# +id +time +label +command +calls +size +limited +ended +options$/);
    assert.deepEqual(
      rows.slice(1).map((r) => / (\d+(?:\.\d)? k?B) +(?:no|max_calls) /.exec(r)?.[1]),
      FIXTURE_IDS.map((id) => SIZES[id]),
    );
    assert.deepEqual(
      JSON.parse(json.stdout).map((e: { size: number }) => e.size),
      [1783, 3280, 5423, 1046],
    );
  });
}
