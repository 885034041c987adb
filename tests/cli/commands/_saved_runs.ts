// The read commands (logs, view, tree) on the saved runs of tests/fixtures/runs, copied into the
// cache of a temporary project: exact tables, descriptions and trees, the one-line errors of runs
// that cannot be read, a reader that closes the pipe early, and the same output on every target.

import assert from "node:assert/strict";
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { join } from "node:path";
import { FIXTURE_IDS } from "../../store/_cache.ts";
import { VERSION } from "../../../src/version.ts";
import {
  assertCode,
  DENO_TARGET,
  exec,
  type ExecOptions,
  lines,
  projectWithRuns,
  RUN_FIXTURES,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

/** The fixtures' times are shown in UTC. */
const UTC = { TZ: "UTC" };

/** A fixture run's JSON, as its file holds it. */
function fixtureRun(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(RUN_FIXTURES, `run_${id}.json`), "utf8"));
}

/**
 * A run file's envelope (docs/run_format.md) around a run's meta, with no calls: byte 8 `byte`
 * (a format version, or a raw layout's from 0x80), the trailer ending in `end`.
 */
function runEnvelope(byte: number, meta: Record<string, unknown>, end = "TPHEND01"): Uint8Array {
  const { trace: _, ...fields } = meta;
  const text = new TextEncoder().encode(JSON.stringify(fields));
  const head = [...new TextEncoder().encode("TPHRUN\0"), byte, 0, 0];
  const trailer = new Uint8Array(32);
  const view = new DataView(trailer.buffer);
  // The calls end (the skip index starts) at 8, the functions at 9, the meta at 10.
  [8, 9, 10].forEach((at, i) => view.setFloat64(i * 8, at, true));
  trailer.set(new TextEncoder().encode(end), 24);
  return new Uint8Array([...head, ...text, ...trailer]);
}

/** A project whose cache holds two programs' runs (FIXTURE_IDS 0 and 1) and `files`. */
function projectOf(files: Record<string, string | Uint8Array>) {
  const dir = tempDir();
  const cache = join(dir.path, ".tracepatch_cache");
  mkdirSync(cache);
  writeFileSync(join(dir.path, "package.json"), '{ "name": "demo", "type": "module" }\n');
  for (const id of FIXTURE_IDS.slice(0, 2)) {
    writeFileSync(join(cache, `run_${id}.json`), JSON.stringify(fixtureRun(id)));
  }
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(cache, name), bytes);
  return dir;
}

/** argv as one line for `sh -c`, each word in single quotes. */
function shellLine(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
}

export function savedRunTests(t: Target): void {
  Deno.test(
    `tph logs lists runs newest first and skips unusable files with a warning (${t.name})`,
    async () => {
      await using project = projectWithRuns();
      const r = await tph(t, ["logs"], { cwd: project.root, env: UTC });
      assertCode(r, 0, "tph logs");
      const rows = lines(r.stdout);
      assert.match(rows[0], /^# +id +time +label +command +calls +size +limited +ended +options$/);
      assert.deepEqual(rows.slice(1).map((l) => l.split(/ +/)[1]), FIXTURE_IDS);
      assert.match(
        rows[1],
        /^1 +20261122T081502_123_server_c0ffee +2026-11-22 08:15:02 +server +server\.ts --port 8080 +3 +1\.8 kB +no +SIGINT +-$/,
      );
      assert.match(rows[2], / 6 +3\.3 kB +max_calls +ok +max_calls=6$/);
      const warnings = lines(r.stderr);
      assert.equal(warnings.length, 3);
      assert.match(
        warnings[0],
        /^tph: warning: Skipping "run_20261121T120000_000_broken_dead00\.json": invalid JSON/,
      );
      assert.match(warnings[1], /written by schema 7, this tph reads up to 1; upgrade tph$/);
      assert.match(warnings[2], /^tph: warning: Skipping "settings\.json": not a tph run/);
    },
  );

  Deno.test(
    `tph logs skips a FIFO, a link to a device and sparse files named like runs, at once (${t.name})`,
    async () => {
      await using project = projectWithRuns();
      const cache = join(project.root, ".tracepatch_cache");
      const run = (id: string, ext = "json") => join(cache, `run_20261124T000000_000_${id}.${ext}`);
      const made = (argv: string[]) => {
        const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 10_000 });
        assert.equal(r.status, 0, `${argv.join(" ")}: ${r.stderr}`);
      };
      made(["mkfifo", run("fifo01")]);
      made(["mkfifo", run("fifo02", "tph")]);
      // A device made here (never the machine's /dev): needs root.
      const root = process.getuid?.() === 0;
      if (root) {
        made(["mknod", join(project.root, "zero"), "c", "1", "5"]);
        symlinkSync(join(project.root, "zero"), run("zero01", "tph"));
        symlinkSync(join(project.root, "zero"), run("zero02"));
      }
      // 300 MB of nothing (a hole), as JSON and as tph's format; one with a JSON start.
      made(["truncate", "-s", "300M", run("sparse01")]);
      made(["truncate", "-s", "300M", run("sparse02", "tph")]);
      writeFileSync(run("sparse03"), '{"schema": 1, "trace": [');
      made(["truncate", "-s", "300M", run("sparse03")]);
      // A real JSON run of 20 MB is listed from its fields, its calls not kept.
      const fd = openSync(run("large_abcdef"), "w");
      writeSync(fd, '{"schema":1,"timestamp":"2026-11-24T00:00:00.000Z","label":"large",');
      writeSync(fd, '"call_count":100000,"trace":[');
      const call = '{"name":"f","module":"m.js","args":{"s":"\\"]}' + "x".repeat(150) +
        '"},"elapsed_ms":0.1,"children":[]}';
      for (let i = 0; i < 100_000; i++) writeSync(fd, (i === 0 ? "" : ",") + call);
      writeSync(fd, "]}\n");
      closeSync(fd);
      // The harness's time limit bounds it: reading any of these whole takes far longer.
      const r = await tph(t, ["logs", "--json"], {
        cwd: project.root,
        env: UTC,
        timeoutMs: 30_000,
      });
      assertCode(r, 0, "tph logs");
      const ids = JSON.parse(r.stdout).map((e: { id: string }) => e.id);
      assert.deepEqual(ids, ["20261124T000000_000_large_abcdef", ...FIXTURE_IDS]);
      const warnings = lines(r.stderr);
      const about = (id: string) => warnings.filter((w) => w.includes(id));
      for (const id of ["fifo01", "fifo02", ...(root ? ["zero01", "zero02"] : [])]) {
        assert.equal(about(id).length, 1, `${id}: ${r.stderr}`);
        assert.match(about(id)[0], /: not a regular file$/);
      }
      for (const id of ["sparse01", "sparse02", "sparse03"]) {
        assert.equal(about(id).length, 1, `${id}: ${r.stderr}`);
        assert.match(about(id)[0], /: invalid JSON \((not JSON|at byte \d+)\)$/);
      }
      // view and tree do not read a sparse file whole either.
      for (const cmd of ["view", "tree"]) {
        const one = await tph(t, [cmd, run("sparse02", "tph")], {
          cwd: project.root,
          timeoutMs: 30_000,
        });
        assertCode(one, 1, `tph ${cmd} of a sparse file`);
        assert.match(
          one.stderr,
          /^tph: Cannot read run ".*sparse02\.tph": invalid JSON \(not JSON\)$/m,
        );
      }
    },
  );

  Deno.test(`tph logs --json and --limit (${t.name})`, async () => {
    await using project = projectWithRuns();
    const cwd = project.root;
    const [json, table] = await Promise.all([
      tph(t, ["logs", "--json", "--limit", "2"], { cwd, env: UTC }),
      tph(t, ["logs", "--limit", "2"], { cwd, env: UTC }),
    ]);
    assertCode(json, 0, "tph logs --json --limit 2");
    const rows = JSON.parse(json.stdout);
    assert.deepEqual(rows.map((x: { n: number; id: string }) => [x.n, x.id]), [
      [1, FIXTURE_IDS[0]],
      [2, FIXTURE_IDS[1]],
    ]);
    assert.equal(rows[1].call_count, 6);
    assert.equal(rows[1].size, 3280);
    assert.equal(rows[1].limit_reason, "max_calls");
    assert.ok(!("trace" in rows[0]));
    assert.equal(lines(table.stdout).length, 4);
    assert.equal(lines(table.stdout)[3], "(2 older runs not shown: --limit 4)");
  });

  Deno.test(
    `tph view --json has call_count and resolves last, N and an id prefix (${t.name})`,
    async () => {
      await using project = projectWithRuns();
      const cwd = project.root;
      const [lastRun, first, prefixed] = await Promise.all(
        ["last", "1", "20261120"].map((ref) => tph(t, ["view", ref, "--json"], { cwd, env: UTC })),
      );
      const last = JSON.parse(lastRun.stdout);
      assert.equal(last.id, FIXTURE_IDS[0]);
      assert.equal(last.call_count, 3);
      assert.equal(last.run.signal, "SIGINT");
      assert.ok(!("trace" in last));
      assert.deepEqual(last.roots, [{
        name: "serve",
        module: "server.ts",
        elapsed_ms: null,
        calls: 3,
      }]);
      assert.equal(JSON.parse(first.stdout).id, FIXTURE_IDS[0]);
      const byPrefix = JSON.parse(prefixed.stdout);
      assert.equal(byPrefix.id, FIXTURE_IDS[2]);
      assert.equal(byPrefix.call_count, 10);
      assert.equal(byPrefix.roots[0].exception, "RangeError: bad amount -1");
      assert.equal(
        byPrefix.path,
        join(project.root, ".tracepatch_cache", `run_${FIXTURE_IDS[2]}.json`),
      );
    },
  );

  Deno.test(`tph view describes a run (${t.name})`, async () => {
    await using project = projectWithRuns();
    const r = await tph(t, ["view", "3"], { cwd: project.root, env: UTC });
    assertCode(r, 0, "tph view 3");
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^Run +20261120T091500_042_checkout_a1b2c3$/m);
    assert.match(
      r.stdout,
      /^File +\.tracepatch_cache\/run_20261120T091500_042_checkout_a1b2c3\.json$/m,
    );
    assert.match(
      r.stdout,
      /^Ended +uncaught exception: RangeError: bad amount -1 \(exit code 1\)$/m,
    );
    assert.match(r.stdout, /^Calls +10$/m);
    assert.match(
      r.stdout,
      /^ {2}async main\(\) +\[4\.81ms, 10 calls, !! RangeError: bad amount -1\]$/m,
    );
  });

  Deno.test(`tph view fails in one line naming the run (${t.name})`, async () => {
    await using project = projectWithRuns();
    const cwd = project.root;
    const cases: [string[], string][] = [
      [
        ["view", "zzz"],
        'tph: Cannot read run "zzz": no such run in .tracepatch_cache (give a run\'s number in ' +
        "tph logs, or at least 6 characters of its id)",
      ],
      [
        ["view", "202611"],
        'tph: Cannot read run "202611": 3 runs in .tracepatch_cache start with it; type more of the id',
      ],
      [
        ["view", "9"],
        'tph: Cannot read run "9": no run number 9 in .tracepatch_cache (it holds 4 runs)',
      ],
      [
        ["view", ".tracepatch_cache/settings.json"],
        'tph: Cannot read run ".tracepatch_cache/settings.json": not a tph run (no "schema", ' +
        '"timestamp", "call_count", "trace")',
      ],
      [
        ["view", "run_20261122T000000_000_future_beef00.json"],
        'tph: Cannot read run ".tracepatch_cache/run_20261122T000000_000_future_beef00.json": ' +
        "written by schema 7, this tph reads up to 1; upgrade tph",
      ],
      [["tree", "missing/run.json"], 'tph: Cannot read run "missing/run.json": file not found'],
    ];
    const results = await Promise.all(cases.map(([args]) => tph(t, args, { cwd, env: UTC })));
    cases.forEach(([args, message], i) => {
      const r = results[i];
      assertCode(r, 1, args.join(" "));
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, message + "\n");
    });
    const broken = await tph(t, ["view", "run_20261121T120000_000_broken_dead00.json"], {
      cwd,
      env: UTC,
    });
    assertCode(broken, 1, "tph view run_20261121T120000_000_broken_dead00.json");
    assert.match(
      broken.stderr,
      /^tph: Cannot read run "\.tracepatch_cache\/run_20261121T120000_000_broken_dead00\.json": invalid JSON \(.+\)\n$/,
    );
  });

  Deno.test(
    `tph tree and tph view of a newer run by id say to upgrade tph (${t.name})`,
    async () => {
      await using project = projectWithRuns();
      const cwd = project.root;
      const upgrade = "written by schema 7, this tph reads up to 1; upgrade tph";
      const cases: [string, string][] = [];
      for (const command of ["tree", "view"]) {
        for (
          const ref of ["20261122T000000_000_future_beef00", "20261122T00", "run_20261122T0000"]
        ) {
          cases.push([command, ref]);
        }
      }
      const results = await Promise.all(
        cases.map(([command, ref]) => tph(t, [command, ref], { cwd, env: UTC })),
      );
      cases.forEach(([command, ref], i) => {
        const r = results[i];
        const what = `tph ${command} ${ref}`;
        assertCode(r, 1, what);
        assert.equal(r.stdout, "", what);
        assert.equal(r.stderr, `tph: Cannot read run "${ref}": ${upgrade}\n`, what);
      });
      // A broken file named by its id says what is wrong with it too.
      const broken = await tph(t, ["tree", "20261121T120000_000_broken_dead00"], { cwd, env: UTC });
      assertCode(broken, 1, "tph tree 20261121T120000_000_broken_dead00");
      assert.match(
        broken.stderr,
        /^tph: Cannot read run "20261121T120000_000_broken_dead00": invalid JSON \(.+\)\n$/,
      );
    },
  );

  Deno.test(`tph tree draws a run with errors, external and async calls (${t.name})`, async () => {
    await using project = projectWithRuns();
    const r = await tph(t, ["tree", "3"], { cwd: project.root, env: UTC });
    assertCode(r, 0, "tph tree 3");
    assert.equal(r.stderr, "");
    const tree = r.stdout.split("\n");
    assert.equal(tree[0], "└── async main() !! RangeError: bad amount -1  [4.81ms]");
    assert.match(
      tree[2],
      /^ {4}│ {3}├── fs\.readFileSync\("catalog\.json", "utf8"\) -> .* \[ext\] {2}\[211µs\]$/,
    );
    assert.equal(tree[5], '    ├── Inventory.reserve(sku="plum", qty=1) -> true  [8µs]');
    assert.equal(
      tree[9],
      "        └── async chargeCard(amount=-1) !! RangeError: bad amount -1  [3.60ms]",
    );
    assert.equal(tree.length, 11);
  });

  Deno.test(`tph tree shows limits, unfinished calls, depth, filter and style (${t.name})`, async () => {
    await using project = projectWithRuns();
    const options: ExecOptions = { cwd: project.root, env: UTC };
    const [limited, depth, filtered, none] = await Promise.all([
      tph(t, ["tree", "2", "--style", "ascii", "--no-args", "--no-return"], options),
      tph(t, ["tree", "last", "--max-depth", "1"], options),
      tph(t, ["tree", "20261120", "--filter", "Discount"], options),
      tph(t, ["tree", "last", "--filter", "nothing"], options),
    ]);
    assertCode(limited, 0, "tph tree 2 --style ascii --no-args --no-return");
    assert.equal(
      limited.stdout,
      [
        "|-- main()  [510µs]",
        "|   `-- fib()  [24µs]",
        "|       |-- fib()  [20µs]",
        "|       |   |-- fib()  [16µs]",
        "|       |   |   |-- fib()  [12µs]",
        "|       |   |   |   `-- fib()  [8µs]",
        "|       |   |   `-- … 1 call left out (max_calls)",
        "|       |   `-- … 3 calls left out (max_calls)",
        "|       `-- … 5 calls left out (max_calls)",
        "`-- … 2 calls left out (max_calls)",
        "",
      ].join("\n"),
    );
    assert.equal(
      depth.stdout,
      "└── async serve(port=8080)  [unfinished]\n    └── … 2 more calls\n",
    );
    assert.equal(
      filtered.stdout,
      [
        "└── async main() !! RangeError: bad amount -1  [4.81ms]",
        '    └── async priceOrder(items=[{ sku: "apple", qty: 3 }, { sku: "plum", qty: 1 }]) !! RangeError: bad amount -1  [3.88ms]',
        '        └── applyDiscount(total=2.7, code="SPRING") -> -1  [5µs]',
        "",
      ].join("\n"),
    );
    assertCode(none, 1, "tph tree last --filter nothing");
    assert.equal(none.stderr, 'tph: No call in run "last" has a name containing "nothing"\n');
  });

  Deno.test(`tph stops quietly when its reader closes the pipe early (${t.name})`, async () => {
    await using project = tempDir();
    const children = Array.from({ length: 20_000 }, (_, i) => ({
      name: `step${i}`,
      module: "a.ts",
      file: "/a.ts",
      line: 1,
      args: {},
      return_value: "undefined",
      start_ms: i,
      elapsed_ms: 0.5,
      children: [],
    }));
    const run = {
      schema: 1,
      tracepatch_version: VERSION,
      timestamp: "2026-11-22T08:00:00.000Z",
      label: null,
      call_count: 20_001,
      was_limited: false,
      limit_reason: null,
      dropped_calls: 0,
      config: {
        max_depth: 30,
        max_calls: 30000,
        max_repr: 120,
        ignore_modules: [],
        include: [],
        exclude: [],
      },
      trace: [{ ...children[0], name: "main", children }],
    };
    mkdirSync(join(project.path, ".tracepatch_cache"));
    writeFileSync(
      join(project.path, ".tracepatch_cache", "run_20261122T080000_000_abcdef.json"),
      JSON.stringify(run),
    );
    const r = await exec(["sh", "-c", `${shellLine(t.tph)} tree last | head -n 2`], {
      cwd: project.path,
    });
    assert.equal(
      r.stdout,
      "└── main() -> undefined  [500µs]\n    ├── step0() -> undefined  [500µs]\n",
    );
    assert.equal(r.stderr, "", t.name);
  });

  Deno.test(
    `tph tree last and view last name a newest run that cannot be read, never draw an older one (${t.name})`,
    async () => {
      const cut = "run_20261130T000000_000_cut_abc123.tph";
      const empty = "run_20261130T000001_000_def456.tph";
      const truncated = new Uint8Array([...new TextEncoder().encode("TPHRUN\0"), 4, 1, 2, 3]);
      const fix = `give 1 for the newest run that can be read (${FIXTURE_IDS[0]})`;
      const cases: [Record<string, string | Uint8Array>, string, string][] = [
        [{ [cut]: truncated }, cut, "the run file is truncated (it was cut short)"],
        [
          { [cut]: truncated, [empty]: "" },
          empty,
          "the run file is empty (nothing was written to it)",
        ],
      ];
      for (const [files, newest, why] of cases) {
        await using project = projectOf(files);
        const cwd = project.path;
        const named = `.tracepatch_cache/${newest}, cannot be read: ${why}`;
        const [tree, view, logs, one] = await Promise.all([
          tph(t, ["tree", "last"], { cwd, env: UTC }),
          tph(t, ["view", "last"], { cwd, env: UTC }),
          tph(t, ["logs"], { cwd, env: UTC }),
          tph(t, ["tree", "1"], { cwd, env: UTC }),
        ]);
        for (const [r, what] of [[tree, "tph tree last"], [view, "tph view last"]] as const) {
          assertCode(r, 1, what);
          assert.equal(r.stdout, "", what);
          assert.equal(
            r.stderr,
            `tph: Cannot read run "last": the newest run, ${named}; remove it, or ${fix}\n`,
            what,
          );
        }
        // tph logs numbers the runs that can be read, and names the one it skips: 1 is the run
        // tph tree 1 draws, which says what it skipped.
        assertCode(logs, 0, "tph logs");
        assert.match(lines(logs.stdout)[1], new RegExp(`^1 +${FIXTURE_IDS[0]} `));
        assert.ok(logs.stderr.includes(`Skipping "${newest}": ${why}`), logs.stderr);
        assertCode(one, 0, "tph tree 1");
        assert.match(one.stdout, /^└── async serve\(port=8080\)/);
        assert.equal(
          one.stderr,
          "tph: warning: runs are numbered as tph logs lists them, from the newest that can be " +
            `read: the newest run, ${named}\n`,
        );
      }
    },
  );

  Deno.test(
    `a run number past the end is an error, never an id prefix; an id part takes 6 characters (${t.name})`,
    async () => {
      await using project = tempDir({
        [`.tracepatch_cache/run_${FIXTURE_IDS[0]}.json`]: join(
          RUN_FIXTURES,
          `run_${FIXTURE_IDS[0]}.json`,
        ),
      });
      const cwd = project.path;
      const cases: [string[], string][] = [
        ...["2", "20", "2026"].map((n): [string[], string] => [
          ["view", n],
          `tph: Cannot read run "${n}": no run number ${n} in .tracepatch_cache (it holds 1 run)`,
        ]),
        [
          ["tree", "2026x"],
          'tph: Cannot read run "2026x": no such run in .tracepatch_cache (give a run\'s number ' +
          "in tph logs, or at least 6 characters of its id)",
        ],
      ];
      const results = await Promise.all(cases.map(([args]) => tph(t, args, { cwd, env: UTC })));
      cases.forEach(([args, message], i) => {
        assertCode(results[i], 1, args.join(" "));
        assert.equal(results[i].stdout, "", args.join(" "));
        assert.equal(results[i].stderr, message + "\n", args.join(" "));
      });
      const byPart = await tph(t, ["view", "c0ffee", "--json"], { cwd, env: UTC });
      assertCode(byPart, 0, "tph view c0ffee");
      assert.equal(JSON.parse(byPart.stdout).id, FIXTURE_IDS[0]);
    },
  );

  Deno.test(
    `a run of a newer tph says to upgrade tph in one line, in every form and command (${t.name})`,
    async () => {
      const meta = { ...fixtureRun(FIXTURE_IDS[0]), timestamp: "2026-11-30T00:00:00.000Z" };
      const forms: [string, string | Uint8Array][] = [
        ["run_20261130T000000_000_format_abc001.tph", runEnvelope(5, meta)],
        ["run_20261130T000000_000_rawnew_abc002.tph", runEnvelope(0x86, meta)],
        // A newer raw layout whose trailer is laid out otherwise: not "truncated".
        ["run_20261130T000000_000_rawend_abc003.tph", runEnvelope(0xc0, meta, "TPHEND02")],
        ["run_20261130T000000_000_schema_abc004.json", JSON.stringify({ ...meta, schema: 2 })],
      ];
      for (const [name, bytes] of forms) {
        await using project = projectOf({ [name]: bytes });
        const cwd = project.path;
        const id = name.slice(4, name.lastIndexOf("."));
        const commands = [
          ["tree", "last"],
          ["view", "last"],
          ["export", "last"],
          ["find", "last", "8080"],
          ["diff", "last", "1"],
          ["tree", id],
          // The hex part tph run shows.
          ["view", id.slice(id.lastIndexOf("_") + 1)],
          ["export", `.tracepatch_cache/${name}`],
        ];
        const results = await Promise.all(commands.map((args) => tph(t, args, { cwd, env: UTC })));
        commands.forEach((args, i) => {
          const r = results[i];
          const what = `${name}: tph ${args.join(" ")}`;
          assert.notEqual(r.code, 0, what);
          assert.equal(r.stdout, "", what);
          assert.equal(lines(r.stderr).length, 1, `${what}: ${r.stderr}`);
          assert.match(
            r.stderr,
            /^tph: Cannot read run "[^"]+": .*; upgrade tph(, give 1 for the newest run that can be read \(.+\))?\n$/,
            what,
          );
        });
        // tph logs lists it (its meta read as any run's) or names it with the same word.
        const logs = await tph(t, ["logs"], { cwd, env: UTC });
        assertCode(logs, 0, `${name}: tph logs`);
        const listed = lines(logs.stdout).some((l) => l.includes(id));
        assert.ok(
          listed || logs.stderr.includes(`Skipping "${name}": `) &&
              /upgrade tph\n/.test(logs.stderr),
          `${name}: tph logs: ${logs.stdout}${logs.stderr}`,
        );
      }
    },
  );

  if (t.name !== "deno") {
    Deno.test(`tph prints the same as on Deno (${t.name})`, async () => {
      await using project = projectWithRuns();
      const options: ExecOptions = { cwd: project.root, env: UTC };
      const commands = [
        ["logs"],
        ["logs", "--json"],
        ["view", "3"],
        ["tree", "2"],
        ["tree", "3", "--style", "ascii"],
        ["config"],
      ];
      const results = await Promise.all(
        commands.map((args) =>
          Promise.all([tph(DENO_TARGET, args, options), tph(t, args, options)])
        ),
      );
      commands.forEach((args, i) => {
        const [deno, other] = results[i];
        assert.equal(other.code, deno.code, args.join(" "));
        assert.equal(other.stdout, deno.stdout, args.join(" "));
        // Warnings name the same files (the JSON parser's wording differs between runtimes).
        assert.deepEqual(
          lines(other.stderr).map((l) => l.split(":").slice(0, 3).join(":")),
          lines(deno.stderr).map((l) => l.split(":").slice(0, 3).join(":")),
        );
      });
      const usage = await tph(t, ["tree", "last", "--foo"], options);
      assertCode(usage, 2, "tph tree last --foo");
      assert.equal(
        usage.stderr,
        'tph: unknown option "--foo" for "tree"\nRun "tph help tree" for usage.\n',
      );
    });
  }
}
