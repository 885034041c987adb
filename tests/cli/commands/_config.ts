// Configuration seen through the CLI: tracepatch.toml, a "tracepatch" key in package.json,
// flags over config, and the errors and warnings of bad files.

import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  FIXTURES,
  lines,
  projectWithRuns,
  readRun,
  splitStderr,
  summaryOf,
  type Target,
  tempDir,
  tph,
  viewJson,
} from "./_cli.ts";

/** A copy of the endings fixtures plus a program that makes 20 calls. */
function configDir(files: Record<string, string>) {
  const dir = tempDir({ e: join(FIXTURES, "endings") });
  const cwd = join(dir.path, "e");
  writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "cfg", type: "module" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  return { dir, cwd };
}

const MANY = [
  "function tick(i: number): number {",
  "  return i + 1;",
  "}",
  "let n = 0;",
  "for (let i = 0; i < 20; i++) n = tick(n);",
  "console.log(n);",
  "",
].join("\n");

const LOGIN = [
  "function login(user: string, password: string): number {",
  "  return user.length + password.length;",
  "}",
  'console.log(login("ann", "hunter2"));',
  "",
].join("\n");

/** Who may change a config decides whether it is read; where cache_dir may make a folder. */
export function configTrustTests(t: Target): void {
  Deno.test(
    `tph run ignores a tracepatch.toml another user put in a shared folder above it (${t.name})`,
    { ignore: Deno.uid() !== 0 },
    async () => {
      await using dir = tempDir();
      // A folder every user can write (as /tmp), a config of another user's in it, a project below.
      const shared = join(dir.path, "shared");
      const cwd = join(shared, "proj");
      mkdirSync(cwd, { recursive: true });
      chmodSync(shared, 0o1777);
      const planted = join(shared, "tracepatch.toml");
      writeFileSync(planted, 'redact = false\nmax_runs = 1\ndefault_label = "planted"\n');
      chownSync(planted, 12345, 12345);
      writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "p", type: "module" }));
      writeFileSync(join(cwd, "login.ts"), LOGIN);
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await tph(t, ["run", "login.ts"], { cwd }));
      const warning = `tph: warning: Ignoring config ${planted} (owned by uid 12345): it is ` +
        "neither yours nor root's (chown it to use it)";
      for (const r of runs) {
        assertCode(r, 0, "tph run login.ts");
        assert.equal(r.stdout, "10\n");
        const tphLines = splitStderr(r.stderr).tph;
        assert.deepEqual(tphLines.filter((l) => l.startsWith("tph: warning:")), [warning]);
        assert.equal(tphLines.length, 2, r.stderr);
        summaryOf(r);
      }
      const meta = await viewJson(t, "last", { cwd });
      // Not relabelled, still redacted, and max_runs = 1 removed nothing.
      assert.equal(meta.label, null);
      const run = readRun(meta.path);
      assert.deepEqual(run.trace[0].args, { user: '"ann"', password: "[redacted]" });
      const stored = readdirSync(join(cwd, ".tracepatch_cache")).filter((n) => n.endsWith(".tph"));
      assert.equal(stored.length, 2, "both runs kept");
      // tph config says the same, and shows the defaults.
      const config = await tph(t, ["config"], { cwd });
      assertCode(config, 0, "tph config");
      assert.deepEqual(lines(config.stderr), [warning]);
      assert.equal(
        lines(config.stdout)[0],
        `Configuration: defaults (not read, as other users could change it: ${planted})`,
      );
    },
  );

  Deno.test(
    `cache_dir from a config makes no folder outside the project or the user's cache; ~ is the home folder (${t.name})`,
    async () => {
      await using dir = tempDir();
      const cwd = join(dir.path, "a/p");
      const home = join(dir.path, "home");
      mkdirSync(cwd, { recursive: true });
      mkdirSync(home);
      writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "p", type: "module" }));
      writeFileSync(join(cwd, "login.ts"), LOGIN);
      const env = { HOME: home, XDG_CACHE_HOME: join(home, ".cache") };
      const run = (cacheDir: string) => {
        writeFileSync(join(cwd, "tracepatch.toml"), `cache_dir = ${JSON.stringify(cacheDir)}\n`);
        return tph(t, ["run", "login.ts"], { cwd, env });
      };
      // Outside the project: refused in one line, nothing made, the program not run.
      const outside = await run("../../outside/runs");
      assertCode(outside, 2, "cache_dir outside the project");
      assert.equal(outside.stdout, "");
      assert.deepEqual(lines(outside.stderr), [
        `tph: Cannot use cache_dir "${join(dir.path, "outside/runs")}" of ` +
        `${join(cwd, "tracepatch.toml")}: tph makes a run cache only inside the project (${cwd}) ` +
        `or your cache folder (${join(home, ".cache")}); make the folder yourself to use it, ` +
        "or give --cache-dir",
      ]);
      assert.ok(!existsSync(join(dir.path, "outside")));
      // Through a link inside the project that leads out of it: the same.
      mkdirSync(join(dir.path, "elsewhere"));
      Deno.symlinkSync(join(dir.path, "elsewhere"), join(cwd, "out"));
      const viaLink = await run("out/runs");
      assertCode(viaLink, 2, "cache_dir through a link out of the project");
      assert.equal(lines(viaLink.stderr).length, 1, viaLink.stderr);
      assert.deepEqual(readdirSync(join(dir.path, "elsewhere")), []);
      // Through a link that leads to a folder not made yet: making it would make its target.
      Deno.symlinkSync(join(dir.path, "ghost"), join(cwd, "ghost"));
      const viaGhost = await run("ghost/runs");
      assertCode(viaGhost, 2, "cache_dir through a link to nothing out of the project");
      assert.ok(!existsSync(join(dir.path, "ghost")));
      // ~ is the home folder, which is never a run cache.
      const tilde = await run("~");
      assertCode(tilde, 2, "cache_dir = ~");
      assert.match(
        lines(tilde.stderr)[0],
        /^tph: Cannot use ".*\/home" as the run cache: it is the home folder/,
      );
      assert.ok(!existsSync(join(cwd, "~")), "not a folder named ~ in the project");
      // ~/…: made only in the user's cache folder; elsewhere in home it must exist already.
      const inHome = await run("~/runs");
      assertCode(inHome, 2, "cache_dir = ~/runs");
      assert.ok(!existsSync(join(home, "runs")));
      mkdirSync(join(home, "runs"), { mode: 0o700 });
      const made = await run("~/runs");
      assertCode(made, 0, "cache_dir = ~/runs once it exists");
      assert.equal(readdirSync(join(home, "runs")).filter((n) => n.endsWith(".tph")).length, 1);
      const cached = await run("~/.cache/tph-runs");
      assertCode(cached, 0, "cache_dir in the user's cache folder");
      assert.equal(
        readdirSync(join(home, ".cache/tph-runs")).filter((n) => n.endsWith(".tph")).length,
        1,
      );
      // Inside the project: made as before.
      const local = await run("traces/runs");
      assertCode(local, 0, "cache_dir in the project");
      assert.ok(existsSync(join(cwd, "traces/runs")));
      // `~name` is not understood: said in one line.
      const named = await run("~bob/runs");
      assertCode(named, 1, "cache_dir = ~bob/runs");
      assert.deepEqual(lines(named.stderr), [
        'tph: Invalid config in tracepatch.toml: "cache_dir" = "~bob/runs": only ~ and ~/… ' +
        "(your home folder) are understood; write the path in full",
      ]);
    },
  );
}

export function configTests(t: Target): void {
  Deno.test(`tph run and tph tree apply tracepatch.toml (${t.name})`, async () => {
    const { dir, cwd } = configDir({
      "many.ts": MANY,
      "tracepatch.toml": 'max_calls = 5\ndefault_label = "from config"\ntree_style = "ascii"\n',
    });
    await using _dir = dir;
    const r = await tph(t, ["run", "many.ts"], { cwd });
    assertCode(r, 0, "tph run many.ts");
    assert.equal(r.stdout, "20\n");
    const { calls, saved, line } = summaryOf(r);
    assert.equal(calls, 5);
    assert.match(line, /limited by max_calls: 15 left out/);
    assert.match(saved, /_from-config_[0-9a-f]+\.tph$/);
    const [meta, tree] = await Promise.all([
      viewJson(t, "last", { cwd }),
      tph(t, ["tree", "last"], { cwd }),
    ]);
    assert.equal(meta.was_limited, true);
    assert.equal(meta.limit_reason, "max_calls");
    assert.equal(meta.call_count, 5);
    assert.equal(meta.label, "from config");
    assert.equal(meta.config.max_calls, 5);
    assertCode(tree, 0, "tph tree last");
    assert.match(tree.stdout, /^\|-- tick\(i=0\) -> 1 {2}\[/, "ascii connectors from config");
    assert.ok(!tree.stdout.includes("├"), tree.stdout);
    assert.match(tree.stdout, /^`-- … 15 calls left out/m, "the tree says what limits left out");
  });

  Deno.test(`tph flags override tracepatch.toml (${t.name})`, async () => {
    const { dir, cwd } = configDir({
      "many.ts": MANY,
      "tracepatch.toml": 'max_calls = 5\ndefault_label = "from config"\ntree_style = "ascii"\n',
    });
    await using _dir = dir;
    const r = await tph(t, ["run", "--max-calls", "50", "--label", "from flag", "many.ts"], {
      cwd,
    });
    assertCode(r, 0, "tph run --max-calls 50");
    assert.equal(summaryOf(r).calls, 20);
    const [meta, tree] = await Promise.all([
      viewJson(t, "last", { cwd }),
      tph(t, ["tree", "last", "--style", "unicode"], { cwd }),
    ]);
    assert.equal(meta.was_limited, false);
    assert.equal(meta.label, "from flag");
    assert.match(tree.stdout, /^├── tick\(i=0\) -> 1 {2}\[/);
  });

  Deno.test(`tph reads a "tracepatch" key in package.json (${t.name})`, async () => {
    const { dir, cwd } = configDir({ "many.ts": MANY });
    await using _dir = dir;
    writeFileSync(
      join(cwd, "package.json"),
      JSON.stringify({ name: "cfg", type: "module", tracepatch: { max_calls: 3 } }),
    );
    const [run, config] = await Promise.all([
      tph(t, ["run", "many.ts"], { cwd }),
      tph(t, ["config"], { cwd }),
    ]);
    assertCode(run, 0, "tph run many.ts");
    assert.equal(summaryOf(run).calls, 3);
    assertCode(config, 0, "tph config");
    assert.match(lines(config.stdout)[0], /package\.json.*"tracepatch"/);
    assert.match(config.stdout, /^\s+max_calls\s+3\b/m);
  });

  Deno.test(`tph config shows the source and the values (${t.name})`, async () => {
    const { dir, cwd } = configDir({
      "tracepatch.toml": 'max_depth = 7\ninclude = ["node_modules/x/**"]\n',
      "other.toml": "max_repr = 9\n",
    });
    await using _dir = dir;
    const [found, file, defaults, missing] = await Promise.all([
      tph(t, ["config"], { cwd }),
      tph(t, ["config", "--file", "other.toml"], { cwd }),
      tph(t, ["config"], { cwd: dir.path }),
      tph(t, ["config", "--file", "nope.toml"], { cwd }),
    ]);
    assertCode(found, 0, "tph config");
    assert.match(lines(found.stdout)[0], /tracepatch\.toml/);
    assert.match(found.stdout, /^\s+max_depth\s+7\b/m);
    assert.match(found.stdout, /^\s+max_calls\s+100000\b/m);
    assert.match(found.stdout, /^\s+include\s+\["node_modules\/x\/\*\*"\]/m);
    assertCode(file, 0, "tph config --file other.toml");
    assert.match(lines(file.stdout)[0], /other\.toml/);
    assert.match(file.stdout, /^\s+max_repr\s+9\b/m);
    assert.match(file.stdout, /^\s+max_depth\s+30\b/m, "--file reads only that file");
    assertCode(defaults, 0, "tph config (no file)");
    assert.match(lines(defaults.stdout)[0], /defaults/);
    assertCode(missing, 1, "tph config --file nope.toml");
    assert.equal(lines(missing.stderr).length, 1, missing.stderr);
    assert.match(missing.stderr, /^tph: .*nope\.toml.*not found/);
  });

  Deno.test(`tph reports bad configuration files (${t.name})`, async () => {
    const bad = configDir({ "tracepatch.toml": "max_calls = 5\nmax_depth = = 3\n" });
    const typo = configDir({ "tracepatch.toml": "max_deph = 3\n" });
    const wrong = configDir({ "tracepatch.toml": 'max_calls = "lots"\n' });
    await using _a = bad.dir;
    await using _b = typo.dir;
    await using _c = wrong.dir;
    const [badRun, badConfig, typoRun, typoConfig, wrongRun] = await Promise.all([
      tph(t, ["run", "completed.ts"], { cwd: bad.cwd }),
      tph(t, ["config"], { cwd: bad.cwd }),
      tph(t, ["run", "completed.ts"], { cwd: typo.cwd }),
      tph(t, ["config"], { cwd: typo.cwd }),
      tph(t, ["run", "completed.ts"], { cwd: wrong.cwd }),
    ]);
    // Invalid TOML: exit 1, one line naming the file, line and column; the program never ran.
    for (const r of [badRun, badConfig]) {
      assertCode(r, 1, "invalid TOML");
      assert.equal(r.stdout, "");
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /^tph: .*Invalid TOML/i);
      assert.match(r.stderr, /tracepatch\.toml.* at line 2, column 13\b/);
    }
    // An unknown key: a warning with a suggestion, and the run goes on.
    assertCode(typoRun, 0, "unknown key");
    assert.equal(typoRun.stdout, "result 42\n");
    const warning =
      /^tph: warning: Unknown key "max_deph" in .*tracepatch\.toml.*did you mean "max_depth"/;
    assert.match(splitStderr(typoRun.stderr).tph[0], warning);
    summaryOf(typoRun);
    assertCode(typoConfig, 0, "tph config with an unknown key");
    assert.match(typoConfig.stderr, warning);
    // A value of the wrong type: exit 1, naming the key.
    assertCode(wrongRun, 1, "wrong type");
    assert.equal(wrongRun.stdout, "", "the program did not run");
    assert.equal(lines(wrongRun.stderr).length, 1, wrongRun.stderr);
    assert.match(wrongRun.stderr, /^tph: .*tracepatch\.toml.*"max_calls"/);
  });

  Deno.test(`tph prints each warning once per command (${t.name})`, async () => {
    const { dir, cwd } = configDir({ "tracepatch.toml": "max_deph = 3\n" });
    await using _dir = dir;
    const first = await tph(t, ["run", "completed.ts"], { cwd });
    assertCode(first, 0, "tph run completed.ts");
    // A file in the cache that is not a run: `tph logs` says so.
    writeFileSync(join(cwd, ".tracepatch_cache", "run_odd.json"), "[1]\n");
    const commands = [
      ["run", "completed.ts"],
      ["run", "--cache-dir", ".tracepatch_cache", "completed.ts"],
      ["run", "--no-cache", "--tree", "completed.ts"],
      ["logs"],
      ["logs", "--json"],
      ["tree", "last"],
      ["view", "1"],
      ["config"],
    ];
    const results = await Promise.all(commands.map((args) => tph(t, args, { cwd })));
    commands.forEach((args, i) => {
      const r = results[i];
      const what = `tph ${args.join(" ")}`;
      assertCode(r, 0, what);
      const warnings = lines(r.stderr).filter((l) => l.startsWith("tph: warning:"));
      assert.deepEqual(warnings, [...new Set(warnings)], `${what}: a warning twice:\n${r.stderr}`);
      assert.equal(
        warnings.filter((w) => /Unknown key "max_deph"/.test(w)).length,
        1,
        `${what}: the config warning once:\n${r.stderr}`,
      );
      if (args[0] === "logs") {
        assert.equal(warnings.length, 2, `${what}: the config and the odd file:\n${r.stderr}`);
        assert.match(warnings[1], /Skipping "run_odd\.json": not a tph run/);
      } else assert.equal(warnings.length, 1, `${what}: ${r.stderr}`);
    });
  });

  Deno.test(
    `tph tree, logs and config follow the configuration; flags override it (${t.name})`,
    async () => {
      // The saved runs of tests/fixtures/runs.
      await using project = projectWithRuns();
      const cwd = project.root;
      writeFileSync(
        join(cwd, "tracepatch.toml"),
        'tree_style = "ascii"\nshow_args = false\nmax_dept = 3\n',
      );
      const [tree, flags, config] = await Promise.all([
        tph(t, ["tree", "last"], { cwd }),
        tph(t, ["tree", "last", "--style", "unicode", "--show-args"], { cwd }),
        tph(t, ["config"], { cwd }),
      ]);
      assert.equal(
        tree.stdout,
        "`-- async serve()  [unfinished]\n    |-- handle() -> Response { status: 200 }  [420µs]\n    `-- async waitForShutdown()  [unfinished]\n",
      );
      assert.equal(
        tree.stderr,
        'tph: warning: Unknown key "max_dept" in tracepatch.toml (did you mean "max_depth"?)\n',
      );
      assert.match(flags.stdout, /^└── async serve\(port=8080\) {2}\[unfinished\]$/m);
      assertCode(config, 0, "tph config");
      assert.match(config.stdout, /^Configuration: tracepatch\.toml$/m);
      assert.match(config.stdout, /^ {2}tree_style +"ascii"$/m);
      assert.match(config.stdout, /^ {2}max_depth +30 +\(default\)$/m);
      // cache_dir moves the runs; it is relative to the config file.
      mkdirSync(join(cwd, "sub"));
      writeFileSync(join(cwd, "tracepatch.toml"), 'cache_dir = "elsewhere"\n');
      const [moved, flag] = await Promise.all([
        tph(t, ["logs"], { cwd: join(cwd, "sub") }),
        tph(t, ["logs", "--cache-dir", "../.tracepatch_cache"], { cwd: join(cwd, "sub") }),
      ]);
      assert.equal(
        moved.stdout,
        `No runs in ${join(cwd, "elsewhere")} yet. Record one with: tph run <script>\n`,
      );
      assert.equal(lines(flag.stdout).length, 5);
    },
  );

  Deno.test(`tph fails in one line on a broken configuration (${t.name})`, async () => {
    // The saved runs of tests/fixtures/runs.
    await using project = projectWithRuns();
    const cwd = project.root;
    writeFileSync(join(cwd, "tracepatch.toml"), 'max_depth = 5\ntree_style = "ascii\n');
    const r = await tph(t, ["tree", "last"], { cwd });
    assertCode(r, 1, "tph tree last with invalid TOML");
    assert.match(
      r.stderr,
      /^tph: Cannot read config "tracepatch\.toml": invalid TOML at line 2, column \d+: .+\n$/,
    );
    writeFileSync(join(cwd, "tracepatch.toml"), "max_depth = true\n");
    const [wrongType, missing] = await Promise.all([
      tph(t, ["config"], { cwd }),
      tph(t, ["config", "--file", "nope.toml"], { cwd }),
    ]);
    assertCode(wrongType, 1, "tph config with max_depth = true");
    assert.equal(
      wrongType.stderr,
      'tph: Invalid config in tracepatch.toml: "max_depth" must be a positive integer, got true\n',
    );
    assert.equal(missing.stderr, 'tph: Cannot read config "nope.toml": file not found\n');
  });
}
