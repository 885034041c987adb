// The read side of the CLI (logs, view, tree, config, help), run for real as a subprocess in a
// temporary project whose cache holds the fixtures of tests/fixtures/runs.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { main } from "../../src/tph/cli/main.ts";
import { VERSION } from "../../src/version.ts";
import { FIXTURE_IDS, projectWithRuns, tempDir } from "../store/_cache.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(REPO, "cli.ts");
const BIN = {
  deno: join(REPO, "node_modules/.bin/deno"),
  bun: join(REPO, "node_modules/.bin/bun"),
};

/** Every tph these tests start is killed past this (a hang fails its test, not the suite). */
const TIME_LIMIT = { timeout: 120_000, killSignal: "SIGKILL" } as const;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tph(args: string[], cwd: string, runtime: "deno" | "bun" = "deno"): Result {
  const argv = runtime === "deno" ? ["run", "-A", CLI, ...args] : [CLI, ...args];
  const env: Record<string, string> = { ...process.env as Record<string, string>, TZ: "UTC" };
  delete env.NO_COLOR;
  const r = spawnSync(BIN[runtime], argv, { cwd, env, encoding: "utf8", ...TIME_LIMIT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const { root } = projectWithRuns();

/** Lines of stderr, for checking that messages are one line each. */
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

Deno.test("tph logs lists runs newest first and skips unusable files with a warning", () => {
  const r = tph(["logs"], root);
  assert.equal(r.code, 0);
  const rows = lines(r.stdout);
  assert.match(rows[0], /^# +id +time +label +command +calls +limited +ended$/);
  assert.deepEqual(rows.slice(1).map((l) => l.split(/ +/)[1]), FIXTURE_IDS);
  assert.match(
    rows[1],
    /^1 +20261122T081502_123_server_c0ffee +2026-11-22 08:15:02 +server +server\.ts --port 8080 +3 +no +SIGINT$/,
  );
  assert.match(rows[2], / max_calls +ok$/);
  const warnings = lines(r.stderr);
  assert.equal(warnings.length, 3);
  assert.match(
    warnings[0],
    /^tph: warning: Skipping "run_20261121T120000_000_broken_dead00\.json": invalid JSON/,
  );
  assert.match(warnings[1], /written by schema 7, this tph reads up to 1; upgrade tph$/);
  assert.match(warnings[2], /^tph: warning: Skipping "settings\.json": not a tph run/);
});

Deno.test("tph logs --json and --limit", () => {
  const r = tph(["logs", "--json", "--limit", "2"], root);
  assert.equal(r.code, 0);
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(rows.map((x: { n: number; id: string }) => [x.n, x.id]), [
    [1, FIXTURE_IDS[0]],
    [2, FIXTURE_IDS[1]],
  ]);
  assert.equal(rows[1].call_count, 6);
  assert.equal(rows[1].limit_reason, "max_calls");
  assert.ok(!("trace" in rows[0]));
  const table = tph(["logs", "--limit", "2"], root);
  assert.equal(lines(table.stdout).length, 4);
  assert.equal(lines(table.stdout)[3], "(2 older runs not shown: --limit 4)");
});

Deno.test("tph logs in a project without runs says how to record one", () => {
  const empty = tempDir();
  writeFileSync(join(empty, "deno.json"), "{}");
  const r = tph(["logs"], empty);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "No runs in .tracepatch_cache yet. Record one with: tph run <script>\n");
  assert.equal(r.stderr, "");
});

Deno.test("tph view --json has call_count and resolves last, N and an id prefix", () => {
  const last = JSON.parse(tph(["view", "last", "--json"], root).stdout);
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
  assert.equal(JSON.parse(tph(["view", "1", "--json"], root).stdout).id, FIXTURE_IDS[0]);
  const byPrefix = JSON.parse(tph(["view", "20261120", "--json"], root).stdout);
  assert.equal(byPrefix.id, FIXTURE_IDS[2]);
  assert.equal(byPrefix.call_count, 10);
  assert.equal(byPrefix.roots[0].exception, "RangeError: bad amount -1");
  assert.equal(byPrefix.path, join(root, ".tracepatch_cache", `run_${FIXTURE_IDS[2]}.json`));
});

Deno.test("tph view describes a run", () => {
  const r = tph(["view", "3"], root);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^Run +20261120T091500_042_checkout_a1b2c3$/m);
  assert.match(
    r.stdout,
    /^File +\.tracepatch_cache\/run_20261120T091500_042_checkout_a1b2c3\.json$/m,
  );
  assert.match(r.stdout, /^Ended +uncaught exception: RangeError: bad amount -1 \(exit code 1\)$/m);
  assert.match(r.stdout, /^Calls +10$/m);
  assert.match(
    r.stdout,
    /^ {2}async main\(\) +\[4\.81ms, 10 calls, !! RangeError: bad amount -1\]$/m,
  );
});

Deno.test("tph view fails in one line naming the run", () => {
  const cases: [string[], string][] = [
    [["view", "zzz"], 'tph: Cannot read run "zzz": no such run in .tracepatch_cache'],
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
      ["view", "run_20261123T000000_000_future_beef00.json"],
      'tph: Cannot read run ".tracepatch_cache/run_20261123T000000_000_future_beef00.json": ' +
      "written by schema 7, this tph reads up to 1; upgrade tph",
    ],
    [["tree", "missing/run.json"], 'tph: Cannot read run "missing/run.json": file not found'],
  ];
  for (const [args, message] of cases) {
    const r = tph(args, root);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, message + "\n");
  }
  const broken = tph(["view", "run_20261121T120000_000_broken_dead00.json"], root);
  assert.equal(broken.code, 1);
  assert.match(
    broken.stderr,
    /^tph: Cannot read run "\.tracepatch_cache\/run_20261121T120000_000_broken_dead00\.json": invalid JSON \(.+\)\n$/,
  );
});

Deno.test("tph tree and tph view of a newer run by id say to upgrade tph, on Deno and Bun", () => {
  const upgrade = "written by schema 7, this tph reads up to 1; upgrade tph";
  for (const runtime of ["deno", "bun"] as const) {
    for (const command of ["tree", "view"]) {
      for (const ref of ["20261123T000000_000_future_beef00", "20261123", "run_20261123T0000"]) {
        const r = tph([command, ref], root, runtime);
        const what = `${runtime}: tph ${command} ${ref}`;
        assert.equal(r.code, 1, what);
        assert.equal(r.stdout, "", what);
        assert.equal(r.stderr, `tph: Cannot read run "${ref}": ${upgrade}\n`, what);
      }
    }
    // A broken file named by its id says what is wrong with it too.
    const broken = tph(["tree", "20261121T120000_000_broken_dead00"], root, runtime);
    assert.equal(broken.code, 1);
    assert.match(
      broken.stderr,
      /^tph: Cannot read run "20261121T120000_000_broken_dead00": invalid JSON \(.+\)\n$/,
    );
  }
});

Deno.test("tph tree draws a run with errors, external and async calls", () => {
  const r = tph(["tree", "3"], root);
  assert.equal(r.code, 0);
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

Deno.test("tph tree shows limits, unfinished calls, depth, filter and style", () => {
  const limited = tph(["tree", "2", "--style", "ascii", "--no-args", "--no-return"], root);
  assert.equal(limited.code, 0);
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
    tph(["tree", "last", "--max-depth", "1"], root).stdout,
    "└── async serve(port=8080)  [unfinished]\n    └── … 2 more calls\n",
  );
  assert.equal(
    tph(["tree", "20261120", "--filter", "Discount"], root).stdout,
    [
      "└── async main() !! RangeError: bad amount -1  [4.81ms]",
      '    └── async priceOrder(items=[{ sku: "apple", qty: 3 }, { sku: "plum", qty: 1 }]) !! RangeError: bad amount -1  [3.88ms]',
      '        └── applyDiscount(total=2.7, code="SPRING") -> -1  [5µs]',
      "",
    ].join("\n"),
  );
  const none = tph(["tree", "last", "--filter", "nothing"], root);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'tph: No call in run "last" has a name containing "nothing"\n');
});

Deno.test("tph reports usage errors in one line plus a hint, with exit code 2", () => {
  const cases: [string[], string, string][] = [
    [["tree", "last", "--foo"], 'tph: unknown option "--foo" for "tree"', "tree"],
    [
      ["tree", "last", "--filtr", "x"],
      'tph: unknown option "--filtr" for "tree" (did you mean "--filter"?)',
      "tree",
    ],
    [["tree"], 'tph: "tree" needs <run>', "tree"],
    [["view", "1", "2"], 'tph: unexpected argument "2" for "view"', "view"],
    [["tree", "last", "--max-depth"], 'tph: option "--max-depth" needs a value', "tree"],
    [
      ["tree", "last", "--max-depth", "0"],
      'tph: --max-depth takes a positive whole number, got "0"',
      "tree",
    ],
    [
      ["tree", "last", "--style", "fancy"],
      'tph: --style takes ascii or unicode, got "fancy"',
      "tree",
    ],
    [["logs", "--json=yes"], 'tph: option "--json" takes no value', "logs"],
    [["logs", "--limit", "x"], 'tph: --limit takes a positive whole number, got "x"', "logs"],
    [
      ["tree", "1", "--no-args", "--show-args"],
      "tph: --show-args and --no-args cannot be used together",
      "tree",
    ],
    [["tre", "last"], 'tph: unknown command "tre" (did you mean "tree"?)', ""],
    [["help", "lgs"], 'tph: unknown command "lgs" (did you mean "logs"?)', ""],
    [["--foo"], 'tph: unknown option "--foo"', ""],
  ];
  for (const [args, message, command] of cases) {
    const r = tph(args, root);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `${message}\nRun "tph help${command ? ` ${command}` : ""}" for usage.\n`,
    );
  }
});

Deno.test("tph help, --help on every command, and --version", () => {
  const help = tph(["help"], root);
  assert.equal(help.code, 0);
  for (const name of ["run", "logs", "view", "tree", "config", "help"]) {
    assert.match(help.stdout, new RegExp(`^ {2}${name} +\\S`, "m"));
  }
  assert.equal(tph([], root).stdout, help.stdout);
  for (const name of ["logs", "view", "tree", "config", "help"]) {
    const r = tph([name, "--help"], root);
    assert.equal(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`^Usage: tph ${name}`, "m"));
    assert.match(r.stdout, /^ {2}-h, --help +show this help$/m);
    assert.equal(tph(["help", name], root).stdout, r.stdout);
  }
  assert.match(tph(["tree", "-h"], root).stdout, /--max-depth N/);
  for (const flag of ["--version", "-V"]) {
    assert.match(
      tph([flag], root).stdout,
      new RegExp(`^tph ${VERSION.replaceAll(".", "\\.")} \\(deno `),
    );
  }
});

Deno.test("tph tree, logs and config follow the configuration; flags override it", () => {
  const project = projectWithRuns().root;
  writeFileSync(
    join(project, "tracepatch.toml"),
    'tree_style = "ascii"\nshow_args = false\nmax_dept = 3\n',
  );
  const tree = tph(["tree", "last"], project);
  assert.equal(
    tree.stdout,
    "`-- async serve()  [unfinished]\n    |-- handle() -> Response { status: 200 }  [420µs]\n    `-- async waitForShutdown()  [unfinished]\n",
  );
  assert.equal(
    tree.stderr,
    'tph: warning: Unknown key "max_dept" in tracepatch.toml (did you mean "max_depth"?)\n',
  );
  const flags = tph(["tree", "last", "--style", "unicode", "--show-args"], project);
  assert.match(flags.stdout, /^└── async serve\(port=8080\) {2}\[unfinished\]$/m);
  const config = tph(["config"], project);
  assert.equal(config.code, 0);
  assert.match(config.stdout, /^Configuration: tracepatch\.toml$/m);
  assert.match(config.stdout, /^ {2}tree_style +"ascii"$/m);
  assert.match(config.stdout, /^ {2}max_depth +30 +\(default\)$/m);
  // cache_dir moves the runs; it is relative to the config file.
  mkdirSync(join(project, "sub"));
  writeFileSync(join(project, "tracepatch.toml"), 'cache_dir = "elsewhere"\n');
  const moved = tph(["logs"], join(project, "sub"));
  assert.equal(
    moved.stdout,
    `No runs in ${join(project, "elsewhere")} yet. Record one with: tph run <script>\n`,
  );
  assert.equal(
    lines(tph(["logs", "--cache-dir", "../.tracepatch_cache"], join(project, "sub")).stdout).length,
    5,
  );
});

Deno.test("tph fails in one line on a broken configuration", () => {
  const project = projectWithRuns().root;
  writeFileSync(join(project, "tracepatch.toml"), 'max_depth = 5\ntree_style = "ascii\n');
  const r = tph(["tree", "last"], project);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^tph: Cannot read config "tracepatch\.toml": invalid TOML at line 2, column \d+: .+\n$/,
  );
  writeFileSync(join(project, "tracepatch.toml"), "max_depth = true\n");
  const wrongType = tph(["config"], project);
  assert.equal(wrongType.code, 1);
  assert.equal(
    wrongType.stderr,
    'tph: Invalid config in tracepatch.toml: "max_depth" must be a positive integer, got true\n',
  );
  const missing = tph(["config", "--file", "nope.toml"], project);
  assert.equal(missing.stderr, 'tph: Cannot read config "nope.toml": file not found\n');
});

Deno.test("tph stops quietly when its reader closes the pipe early", () => {
  const project = tempDir();
  mkdirSync(join(project, ".tracepatch_cache"));
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
  writeFileSync(
    join(project, ".tracepatch_cache", "run_20261122T080000_000_abcdef.json"),
    JSON.stringify(run),
  );
  for (const runtime of ["deno", "bun"] as const) {
    const command = runtime === "deno" ? `"${BIN.deno}" run -A "${CLI}"` : `"${BIN.bun}" "${CLI}"`;
    const r = spawnSync("sh", ["-c", `${command} tree last | head -n 2`], {
      cwd: project,
      encoding: "utf8",
      ...TIME_LIMIT,
    });
    assert.equal(
      r.stdout,
      "└── main() -> undefined  [500µs]\n    ├── step0() -> undefined  [500µs]\n",
    );
    assert.equal(r.stderr, "", runtime);
  }
});

Deno.test("tph prints the same on Bun as on Deno", () => {
  for (
    const args of [["logs"], ["logs", "--json"], ["view", "3"], ["tree", "2"], [
      "tree",
      "3",
      "--style",
      "ascii",
    ], ["config"]]
  ) {
    const deno = tph(args, root, "deno");
    const bun = tph(args, root, "bun");
    assert.equal(bun.code, deno.code, args.join(" "));
    assert.equal(bun.stdout, deno.stdout, args.join(" "));
    // Warnings name the same files (the JSON parser's wording differs between runtimes).
    assert.deepEqual(
      lines(bun.stderr).map((l) => l.split(":").slice(0, 3).join(":")),
      lines(deno.stderr).map((l) => l.split(":").slice(0, 3).join(":")),
    );
  }
  const bunUsage = tph(["tree", "last", "--foo"], root, "bun");
  assert.equal(bunUsage.code, 2);
  assert.equal(
    bunUsage.stderr,
    'tph: unknown option "--foo" for "tree"\nRun "tph help tree" for usage.\n',
  );
  assert.match(tph(["--version"], root, "bun").stdout, /^tph .+ \(bun \d/);
});

Deno.test("main() colours only on a terminal, and never with NO_COLOR set", async () => {
  const run = async (isTerminal: boolean, env: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["tree", "1"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      cwd: root,
      isTerminal,
      env,
    });
    assert.equal(code, 0);
    assert.deepEqual(err, []);
    return out.join("\n");
  };
  assert.ok((await run(true, {})).includes("\x1b[36mserve\x1b[0m"));
  assert.ok(!(await run(true, { NO_COLOR: "1" })).includes("\x1b["));
  assert.ok(!(await run(false, {})).includes("\x1b["));
});
