// Configuration seen through the CLI: tracepatch.toml, a "tracepatch" key in package.json,
// flags over config, and the errors and warnings of bad files.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  FIXTURES,
  lines,
  projectWithRuns,
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
    assert.match(found.stdout, /^\s+max_calls\s+10000\b/m);
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
