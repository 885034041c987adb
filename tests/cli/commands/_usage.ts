// Usage errors (exit 2, one line and a hint), failures (exit 1, one line), help, --version, and
// colours only on a terminal without NO_COLOR.

import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  exec,
  FIXTURES,
  lines,
  type Result,
  summaryOf,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";
import { VERSION } from "../../../src/version.ts";

function assertUsageError(r: Result, pattern: RegExp, hint: string, what: string): void {
  assertCode(r, 2, what);
  assert.equal(r.stdout, "", `${what}: nothing on stdout`);
  const err = lines(r.stderr);
  assert.equal(err.length, 2, `${what}: one line and a hint:\n${r.stderr}`);
  assert.match(err[0], pattern, what);
  assert.equal(err[1], hint, what);
}

/** Is `script` (util-linux) there to give a command a terminal? */
const HAS_SCRIPT = existsSync("/usr/bin/script") || existsSync("/bin/script");

/** Run a shell command line in a pseudo-terminal; returns what the terminal showed. */
function inTerminal(command: string, cwd: string, env: Record<string, string>) {
  return exec(["script", "-qec", command, "/dev/null"], { cwd, env });
}

function shellQuote(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
}

export function usageTests(t: Target): void {
  Deno.test(`tph run of a file that is no program: one line, nothing runs, nothing stored (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(cwd, "main.ts"), "function f(): number {\n  return 1;\n}\nf();\n");
    assertCode(await tph(t, ["run", "main.ts"], { cwd }), 0, "tph run main.ts");
    const cache = join(cwd, ".tracepatch_cache");
    const runs = () => readdirSync(cache).filter((f) => f.startsWith("run_")).sort();
    const [stored] = runs();
    const file = `.tracepatch_cache/${stored}`;
    // A run file, by its name or by its first bytes under any other.
    writeFileSync(join(cwd, "copy"), Deno.readFileSync(join(cache, stored)));
    for (const [name, shown] of [[file, file], ["copy", "copy"]]) {
      const r = await tph(t, ["run", name], { cwd });
      assertCode(r, 1, `tph run ${name}`);
      assert.equal(r.stdout, "", "nothing ran");
      assert.deepEqual(lines(r.stderr), [
        `tph: "${shown}" is a tph run, not a program: look at it with tph tree ${shown}`,
      ]);
    }
    const json = await tph(t, ["run", "package.json"], { cwd });
    assertCode(json, 1, "tph run package.json");
    assert.deepEqual(lines(json.stderr), [
      'tph: Cannot run "package.json": a .json file is not a program (tph runs .ts, .mts, .cts, ' +
      ".tsx, .js, .mjs, .cjs, .jsx files)",
    ]);
    assert.deepEqual(runs(), [stored], "nothing stored");
  });

  Deno.test(`tph run of a program its runtime cannot load stores nothing; one that threw keeps its run (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(cwd, "bad.ts"), "function f(): number {\n  return 1;\n}\nlet x = ;\nf();\n");
    writeFileSync(join(cwd, "missing.ts"), 'import "./nowhere.ts";\nconsole.log(1);\n');
    writeFileSync(join(cwd, "threw.ts"), 'console.log("ran");\nthrow new SyntaxError("mine");\n');
    const cache = join(cwd, ".tracepatch_cache");
    const runs = () =>
      existsSync(cache) ? readdirSync(cache).filter((f) => f.startsWith("run_")) : [];
    // Node reports a module it cannot find like a program's own uncaught error: tph tells only a
    // syntax error in the entry file (see docs/compatibility.md).
    for (const script of t.runtime === "node" ? ["bad.ts"] : ["bad.ts", "missing.ts"]) {
      const r = await tph(t, ["run", script], { cwd });
      assertCode(r, 1, `tph run ${script}`);
      assert.equal(r.stdout, "");
      assert.equal(
        lines(r.stderr).at(-1),
        "tph: the program did not start (its runtime could not load it: see above); nothing " +
          "was recorded or stored",
      );
      assert.doesNotMatch(r.stderr, /ended before tph could save/);
      assert.deepEqual(runs(), [], `nothing stored for ${script}`);
    }
    const threw = await tph(t, ["run", "threw.ts"], { cwd });
    assertCode(threw, 1, "a program that ran and threw");
    assert.equal(threw.stdout, "ran\n");
    assert.match(lines(threw.stderr).at(-1)!, /^tph: 0 calls recorded .*; saved /);
    assert.equal(runs().length, 1, "its run is kept");
  });

  Deno.test(`tph usage errors exit 2 with one line and a hint (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const cases: [string[], RegExp, string][] = [
      [["frobnicate"], /^tph: unknown command "frobnicate"/, 'Run "tph help" for usage.'],
      [["--bogus"], /^tph: unknown option "--bogus"/, 'Run "tph help" for usage.'],
      [["help", "nope"], /^tph: unknown command "nope"/, 'Run "tph help" for usage.'],
      [["run", "--bogus", "completed.ts"], /^tph: unknown option "--bogus"/, hint("run")],
      [["logs", "-x"], /^tph: unknown option "-x"/, hint("logs")],
      [["run"], /^tph: "run" needs .*script/, hint("run")],
      [["run", "--tree", "--label", "x"], /^tph: "run" needs .*script/, hint("run")],
      [["run", "--max-calls", "abc", "completed.ts"], /--max-calls .*"abc"/, hint("run")],
      [["run", "--max-depth", "-3", "completed.ts"], /--max-depth/, hint("run")],
      [["logs", "--limit", "many"], /--limit .*"many"/, hint("logs")],
      [["tree", "last", "--max-depth", "1.5"], /--max-depth .*"1\.5"/, hint("tree")],
      [["tree", "last", "--style", "fancy"], /--style .*"fancy"/, hint("tree")],
      [["view"], /^tph: "view" needs /, hint("view")],
      [["view", "1", "2"], /^tph: .*"2"/, hint("view")],
      [["run", "--label"], /^tph: .*--label/, hint("run")],
      // Folders tph would write runs into and sweep its temporary files from.
      [
        ["run", "--cache-dir", ".", "completed.ts"],
        /^tph: Cannot use ".*" as the run cache: it is the project root itself; use /,
        hint("run"),
      ],
      [
        ["run", "--cache-dir", "/", "completed.ts"],
        /^tph: Cannot use "\/" as the run cache: it is a system folder; use /,
        hint("run"),
      ],
      // The program owns stdout: `-o -` is refused, with what to do instead.
      [
        ["run", "-o", "-", "completed.ts"],
        exactly(
          "tph: -o - would mix the run with the program's own output on stdout: give a file " +
            "(-o run.json), or print the stored run after: tph export last -o -",
        ),
        hint("run"),
      ],
      // Whole messages, with their suggestions.
      [["tree", "last", "--foo"], exactly('tph: unknown option "--foo" for "tree"'), hint("tree")],
      [
        ["tree", "last", "--filtr", "x"],
        exactly('tph: unknown option "--filtr" for "tree" (did you mean "--filter"?)'),
        hint("tree"),
      ],
      [["tree"], exactly('tph: "tree" needs <run>'), hint("tree")],
      [["view", "1", "2"], exactly('tph: unexpected argument "2" for "view"'), hint("view")],
      [
        ["tree", "last", "--max-depth"],
        exactly('tph: option "--max-depth" needs a value'),
        hint("tree"),
      ],
      [
        ["tree", "last", "--max-depth", "0"],
        exactly('tph: --max-depth takes a positive whole number, got "0"'),
        hint("tree"),
      ],
      [
        ["tree", "last", "--style", "fancy"],
        exactly('tph: --style takes ascii or unicode, got "fancy"'),
        hint("tree"),
      ],
      [["logs", "--json=yes"], exactly('tph: option "--json" takes no value'), hint("logs")],
      [
        ["logs", "--limit", "x"],
        exactly('tph: --limit takes a positive whole number, got "x"'),
        hint("logs"),
      ],
      [
        ["tree", "1", "--no-args", "--show-args"],
        exactly("tph: --show-args and --no-args cannot be used together"),
        hint("tree"),
      ],
      [
        ["tre", "last"],
        exactly('tph: unknown command "tre" (did you mean "tree"?)'),
        'Run "tph help" for usage.',
      ],
      [
        ["help", "lgs"],
        exactly('tph: unknown command "lgs" (did you mean "logs"?)'),
        'Run "tph help" for usage.',
      ],
      [
        // Two letters swapped are one slip.
        ["lgos"],
        exactly('tph: unknown command "lgos" (did you mean "logs"?)'),
        'Run "tph help" for usage.',
      ],
      [["--foo"], exactly('tph: unknown option "--foo"'), 'Run "tph help" for usage.'],
    ];
    const results = await Promise.all(cases.map(([args]) => tph(t, args, { cwd })));
    cases.forEach(([args, pattern, h], i) =>
      assertUsageError(results[i], pattern, h, `tph ${args.join(" ")}`)
    );
    assert.ok(!existsSync(join(cwd, ".tracepatch_cache")), "no run was made");
  });

  Deno.test(`tph run takes --max-* values by the config's rule (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const cases: [string, string][] = [];
    for (const flag of ["--max-calls", "--max-depth", "--max-repr"]) {
      for (const value of ["0", "-1", "1.5", "99999999999999999999", "1e3", ""]) {
        cases.push([flag, value]);
      }
    }
    const results = await Promise.all(
      cases.map(([flag, value]) => tph(t, ["run", `${flag}=${value}`, "completed.ts"], { cwd })),
    );
    cases.forEach(([flag, value], i) => {
      const expected = new RegExp(`^tph: ${flag} must be a positive integer, got "${value}"$`);
      assertUsageError(results[i], expected, hint("run"), `tph run ${flag}=${value}`);
    });
    assert.ok(!existsSync(join(cwd, ".tracepatch_cache")), "no run was made");
    // The config file says the same of the same value.
    writeFileSync(join(cwd, "tracepatch.toml"), "max_repr = 0\n");
    const config = await tph(t, ["run", "completed.ts"], { cwd });
    assertCode(config, 1, "max_repr = 0 in tracepatch.toml");
    assert.match(config.stderr, /"max_repr" must be a positive integer, got 0\n$/);
    // The smallest value the rule takes runs.
    rmSync(join(cwd, "tracepatch.toml"));
    const one = await tph(t, ["run", "--max-repr", "1", "--max-calls", "1", "completed.ts"], {
      cwd,
    });
    assertCode(one, 0, "tph run --max-repr 1 --max-calls 1");
    assert.equal(one.stdout, "result 42\n");
  });

  Deno.test(`tph run leaves no settings file behind, run or refused (${t.name})`, async () => {
    // The program's process is started before the command line is checked, and reads its
    // settings from a temporary file (src/cli/launch/early_start.ts).
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    await using tmp = tempDir();
    const cwd = join(dir.path, "e");
    const env = { TMPDIR: tmp.path };
    const ran = await tph(t, ["run", "--no-cache", "completed.ts"], { cwd, env });
    assertCode(ran, 0, "tph run completed.ts");
    assert.equal(ran.stdout, "result 42\n");
    const refused = await tph(t, ["run", "--max-calls", "x", "completed.ts"], { cwd, env });
    assertCode(refused, 2, "tph run --max-calls x completed.ts");
    assert.equal(refused.stdout, "", "the program did not run");
    const left = readdirSync(tmp.path).filter((name) => name.startsWith("tph-run-"));
    assert.deepEqual(left, []);
  });

  Deno.test(`tph run of a missing script fails with one line (${t.name})`, async () => {
    await using dir = tempDir();
    const r = await tph(t, ["run", "missing.ts", "arg"], { cwd: dir.path });
    assertCode(r, 1, "tph run missing.ts");
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, 'tph: Cannot run "missing.ts": file not found\n');
  });

  Deno.test(`tph help, help run, run -h and --version (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    const [help, noArgs, helpRun, runH, treeHelp, version, versionShort] = await Promise.all([
      tph(t, ["help"], { cwd }),
      tph(t, [], { cwd }),
      tph(t, ["help", "run"], { cwd }),
      tph(t, ["run", "-h"], { cwd }),
      tph(t, ["tree", "--help"], { cwd }),
      tph(t, ["--version"], { cwd }),
      tph(t, ["-V"], { cwd }),
    ]);
    for (const r of [help, noArgs, helpRun, runH, treeHelp, version, versionShort]) {
      assertCode(r, 0, "help");
      assert.equal(r.stderr, "");
    }
    assert.match(help.stdout, /^tph \d+\.\d+\.\d+/);
    for (const cmd of ["run", "logs", "view", "tree", "clean", "config", "help"]) {
      assert.match(help.stdout, new RegExp(`^  ${cmd}\\s+\\S`, "m"), `help lists ${cmd}`);
    }
    assert.equal(noArgs.stdout, help.stdout);
    assert.match(helpRun.stdout, /Usage: tph run \[options\] <script>/);
    for (
      const option of [
        "--scope",
        "--include",
        "--exclude",
        "--no-external-calls",
        "--max-depth",
        "--max-calls",
        "--max-repr",
        "--label",
        "--output",
        "--no-cache",
        "--tree",
        "--cache-dir",
      ]
    ) assert.ok(helpRun.stdout.includes(option), `help run lists ${option}`);
    assert.equal(runH.stdout, helpRun.stdout);
    assert.match(treeHelp.stdout, /Usage: tph tree <run>/);
    assert.match(version.stdout, /^tph \d+\.\d+\.\d+/);
    assert.match(
      version.stdout,
      new RegExp(
        `^tph ${VERSION.replaceAll(".", "\\.")} \\(${t.runtime} \\d\\S*, linux-x64\\)$`,
        "m",
      ),
    );
    assert.equal(lines(version.stdout).length, 1);
    assert.equal(versionShort.stdout, version.stdout);
    // Every command's --help (and -h) is what `tph help <command>` prints.
    const commands = ["logs", "view", "tree", "clean", "config", "help"];
    const [helps, helpOf, treeH] = await Promise.all([
      Promise.all(commands.map((name) => tph(t, [name, "--help"], { cwd }))),
      Promise.all(commands.map((name) => tph(t, ["help", name], { cwd }))),
      tph(t, ["tree", "-h"], { cwd }),
    ]);
    commands.forEach((name, i) => {
      const r = helps[i];
      assertCode(r, 0, `tph ${name} --help`);
      assert.match(r.stdout, new RegExp(`^Usage: tph ${name}`, "m"));
      assert.match(r.stdout, /^ {2}-h, --help +show this help$/m);
      assert.equal(helpOf[i].stdout, r.stdout, `tph help ${name}`);
    });
    assert.match(treeH.stdout, /--max-depth N/);
  });

  Deno.test(`tph writes no colours when NO_COLOR is set or output is not a terminal (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    // Piped output (the tph() helper checks every output of these tests for escape codes).
    const run = await tph(t, ["run", "--tree", "throw.ts"], { cwd });
    summaryOf(run);
    const piped = await Promise.all([
      tph(t, ["tree", "last"], { cwd, env: { NO_COLOR: "" } }),
      tph(t, ["logs"], { cwd, env: { NO_COLOR: "" } }),
      tph(t, ["view", "last"], { cwd, env: { NO_COLOR: "" } }),
      tph(t, ["help"], { cwd, env: { NO_COLOR: "" } }),
    ]);
    for (const r of piped) assertCode(r, 0, "piped");
    if (!HAS_SCRIPT) return;
    // A terminal: colours unless NO_COLOR is set.
    const tree = shellQuote([...t.tph, "tree", "last"]);
    const [coloured, plainTty] = await Promise.all([
      inTerminal(`unset NO_COLOR; ${tree}`, cwd, {}),
      inTerminal(tree, cwd, { NO_COLOR: "1" }),
    ]);
    assertCode(coloured, 0, "tph tree last in a terminal");
    assert.ok(coloured.stdout.includes("\x1b["), `colours in a terminal:\n${coloured.stdout}`);
    assertCode(plainTty, 0, "tph tree last in a terminal with NO_COLOR=1");
    assert.match(plainTty.stdout, /validate\(value=-7\) !! RangeError/);
    assert.ok(!plainTty.stdout.includes("\x1b["), `NO_COLOR=1:\n${plainTty.stdout}`);
  });
}

/** A pattern that matches exactly this text. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

function hint(command: string): string {
  return `Run "tph help ${command}" for usage.`;
}
