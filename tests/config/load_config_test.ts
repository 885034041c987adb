import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { closest } from "../../src/config/closest.ts";
import { ConfigError, DEFAULT_CONFIG, loadConfig } from "../../src/config/load_config.ts";
import { tempDir } from "../store/_cache.ts";

function project(files: Record<string, string>): string {
  const root = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

Deno.test("loadConfig() gives the defaults when nothing configures tph", () => {
  const root = project({ "package.json": '{ "name": "x" }' });
  const loaded = loadConfig({ cwd: root });
  assert.equal(loaded.source, null);
  assert.deepEqual(loaded.config, DEFAULT_CONFIG);
  assert.deepEqual(loaded.warnings, []);
  assert.equal(DEFAULT_CONFIG.max_depth, 30);
  assert.equal(DEFAULT_CONFIG.max_calls, 100000);
  assert.equal(DEFAULT_CONFIG.max_repr, 120);
});

Deno.test("loadConfig() reads max_runs and max_cache_mb, unset by default", () => {
  assert.equal(DEFAULT_CONFIG.max_runs, null);
  assert.equal(DEFAULT_CONFIG.max_cache_mb, null);
  const toml = project({ "tracepatch.toml": "max_runs = 20\nmax_cache_mb = 2.5\n" });
  const fromToml = loadConfig({ cwd: toml });
  assert.equal(fromToml.config.max_runs, 20);
  assert.equal(fromToml.config.max_cache_mb, 2.5);
  assert.deepEqual(fromToml.warnings, []);
  const json = project({ "deno.json": '{ "tracepatch": { "max_cache_mb": 100 } }' });
  assert.equal(loadConfig({ cwd: json }).config.max_cache_mb, 100);
  assert.equal(loadConfig({ cwd: json }).config.max_runs, null);
});

Deno.test("loadConfig() finds tracepatch.toml above the working folder", () => {
  const root = project({
    "tracepatch.toml": [
      "# tph settings",
      "max_depth = 50",
      'ignore_modules = ["src/generated"]',
      'cache_dir = ".traces"',
      'scope = ["src"]',
      'tree_style = "ascii"',
      "show_args = false",
    ].join("\n"),
    "src/app/.keep": "",
  });
  const loaded = loadConfig({ cwd: join(root, "src", "app") });
  assert.equal(loaded.source, join(root, "tracepatch.toml"));
  assert.equal(loaded.section, null);
  assert.equal(loaded.config.max_depth, 50);
  assert.equal(loaded.config.max_calls, 100000);
  assert.deepEqual(loaded.config.ignore_modules, ["src/generated"]);
  assert.equal(loaded.config.tree_style, "ascii");
  assert.equal(loaded.config.show_args, false);
  // Paths in the file are relative to it, wherever tph runs.
  assert.equal(loaded.config.cache_dir, join(root, ".traces"));
  assert.deepEqual(loaded.config.scope, [join(root, "src")]);
  assert.deepEqual(loaded.keys, [
    "max_depth",
    "ignore_modules",
    "cache_dir",
    "scope",
    "tree_style",
    "show_args",
  ]);
});

Deno.test('loadConfig() reads a "tracepatch" key in deno.json(c) or package.json', () => {
  const pkg = project({ "package.json": '{ "name": "x", "tracepatch": { "max_calls": 500 } }' });
  const fromPkg = loadConfig({ cwd: pkg });
  assert.equal(fromPkg.source, join(pkg, "package.json"));
  assert.equal(fromPkg.section, "tracepatch");
  assert.equal(fromPkg.config.max_calls, 500);
  const deno = project({
    "deno.jsonc": '{\n  // comments are fine\n  "tracepatch": { "default_label": "a//b", },\n}\n',
  });
  assert.equal(loadConfig({ cwd: deno }).config.default_label, "a//b");
  // A file without the key as written is not parsed, but one spelled with escapes is still read.
  const escaped = project({ "package.json": '{ "tr\\u0061cepatch": { "max_calls": 7 } }' });
  assert.equal(loadConfig({ cwd: escaped }).config.max_calls, 7);
});

Deno.test("loadConfig() takes the nearest folder, and tracepatch.toml first within one", () => {
  const root = project({
    "tracepatch.toml": "max_depth = 1",
    "package.json": '{ "tracepatch": { "max_depth": 2 } }',
    "pkg/deno.json": '{ "tracepatch": { "max_depth": 3 } }',
    "pkg/sub/.keep": "",
  });
  assert.equal(loadConfig({ cwd: root }).config.max_depth, 1);
  assert.equal(loadConfig({ cwd: join(root, "pkg", "sub") }).config.max_depth, 3);
});

Deno.test("loadConfig() skips a package.json without the key, and warns for a broken one that may have it", () => {
  const root = project({
    "tracepatch.toml": "max_repr = 80",
    "a/package.json": '{ "name": "a" }',
    "b/package.json": '{ "tracepatch": { "max_repr": 1 }, }x',
  });
  assert.equal(loadConfig({ cwd: join(root, "a") }).config.max_repr, 80);
  const broken = loadConfig({ cwd: join(root, "b") });
  assert.equal(broken.config.max_repr, 80);
  assert.equal(broken.warnings.length, 1);
  assert.match(broken.warnings[0], /^Skipping package\.json: invalid JSON \(.+\)$/);
});

Deno.test("loadConfig() reports invalid TOML with file, line and column", () => {
  const root = project({
    "tracepatch.toml": 'max_depth = 5\nignore_modules = ["a",\nmax_calls = ',
  });
  assert.throws(() => loadConfig({ cwd: root }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(
      e.message,
      /^Cannot read config "tracepatch\.toml": invalid TOML at line 3, column \d+: .+$/,
    );
    return true;
  });
});

Deno.test("loadConfig() reports a value of the wrong type naming file, key and type", () => {
  const cases: [string, string][] = [
    ['max_depth = "50"', '"max_depth" must be a positive integer, got "50" (a string)'],
    ["max_calls = 0", '"max_calls" must be a positive integer, got 0'],
    ["max_repr = 1.5", '"max_repr" must be a positive integer, got 1.5'],
    ["max_runs = 0", '"max_runs" must be a positive integer, got 0'],
    ["max_runs = 2.5", '"max_runs" must be a positive integer, got 2.5'],
    ["max_cache_mb = 0", '"max_cache_mb" must be a positive number, got 0'],
    ["max_cache_mb = -1.5", '"max_cache_mb" must be a positive number, got -1.5'],
    ['max_cache_mb = "5"', '"max_cache_mb" must be a positive number, got "5" (a string)'],
    ["max_cache_mb = nan", '"max_cache_mb" must be a positive number, got NaN'],
    ['ignore_modules = "x"', '"ignore_modules" must be a list of strings, got "x" (a string)'],
    ["include = [1]", '"include" must be a list of strings, got a list ([1])'],
    ['cache = "yes"', '"cache" must be true or false, got "yes" (a string)'],
    ['tree_style = "fancy"', '"tree_style" must be "ascii" or "unicode", got "fancy" (a string)'],
    ["cache_dir = 3", '"cache_dir" must be a string, got 3'],
    ["[show_args]\nx = 1", '"show_args" must be true or false, got a table'],
    [
      'redact = "token"',
      '"redact" must be a list of names, or true or false, got "token" (a string)',
    ],
    [
      "redact_values = [1]",
      '"redact_values" must be a list of regular expressions (strings), got a list ([1])',
    ],
    ['redact = ["_"]', '"redact": name "_" cannot be used: it has no letter or digit'],
    [
      'redact_values = ["a*"]',
      '"redact_values": regular expression "a*" cannot be used: it matches the empty string',
    ],
  ];
  for (const [toml, why] of cases) {
    const root = project({ "tracepatch.toml": toml });
    assert.throws(() => loadConfig({ cwd: root }), {
      message: `Invalid config in tracepatch.toml: ${why}`,
    });
  }
  const pkg = project({ "package.json": '{ "tracepatch": { "show_return": null } }' });
  assert.throws(() => loadConfig({ cwd: pkg }), {
    message: 'Invalid config in package.json ("tracepatch" key): "show_return" must be true or ' +
      "false, got null",
  });
  const notObject = project({ "deno.json": '{ "tracepatch": [1] }' });
  assert.throws(() => loadConfig({ cwd: notObject }), {
    message: 'Invalid config in deno.json: "tracepatch" must be an object, got [1]',
  });
});

Deno.test("loadConfig() warns about unknown keys, with a guess, and reads tracepatch's own", () => {
  const root = project({
    "tracepatch.toml":
      'max_dept = 5\nauto_save = false\nfrobnicate = 1\n[[test.files]]\npath = "a.py"',
  });
  const { warnings, config, test } = loadConfig({ cwd: root });
  assert.equal(config.max_depth, 30);
  // tracepatch's auto_save is tph's too: whether trace() blocks are stored as runs.
  assert.equal(config.auto_save, false);
  assert.deepEqual(warnings, [
    'Unknown key "max_dept" in tracepatch.toml (did you mean "max_depth"?)',
    'Unknown key "frobnicate" in tracepatch.toml',
  ]);
  // The [[test.files]] tables are tph setup's: kept as written, checked by it.
  assert.deepEqual(JSON.parse(JSON.stringify(test)), { files: [{ path: "a.py" }] });
});

Deno.test("loadConfig() reads the file given instead of searching", () => {
  const root = project({
    "tracepatch.toml": "max_depth = 1",
    "ci/tph.toml": "max_depth = 7",
    "ci/settings.json": '{ "tracepatch": { "max_depth": 8 } }',
    "ci/other.json": "{}",
  });
  assert.equal(loadConfig({ cwd: root, file: "ci/tph.toml" }).config.max_depth, 7);
  assert.equal(loadConfig({ cwd: root, file: "ci/settings.json" }).config.max_depth, 8);
  assert.throws(() => loadConfig({ cwd: root, file: "ci/other.json" }), {
    message: 'Cannot read config "ci/other.json": it has no "tracepatch" key',
  });
  assert.throws(() => loadConfig({ cwd: root, file: "nope.toml" }), {
    message: 'Cannot read config "nope.toml": file not found',
  });
});

Deno.test("closest() suggests near misses only", () => {
  const keys = Object.keys(DEFAULT_CONFIG);
  assert.equal(closest("max_dept", keys), "max_depth");
  assert.equal(closest("max-calls", keys), "max_calls");
  assert.equal(closest("maxRepr", keys), "max_repr");
  assert.equal(closest("tree", ["run", "logs", "view", "tree"]), "tree");
  assert.equal(closest("tre", ["run", "logs", "view", "tree"]), "tree");
  assert.equal(closest("frobnicate", keys), null);
});

Deno.test("loadConfig() reads redact and redact_values, and names a regex that does not compile", () => {
  const root = project({
    "tracepatch.toml": 'redact = ["pin", "*ssn*"]\nredact_values = ["sk_live_\\\\w+"]\n',
  });
  const { config } = loadConfig({ cwd: root });
  assert.deepEqual(config.redact, ["pin", "*ssn*"]);
  assert.deepEqual(config.redact_values, ["sk_live_\\w+"]);
  assert.equal(
    loadConfig({ cwd: project({ "tracepatch.toml": "redact = false" }) }).config.redact,
    false,
  );
  assert.deepEqual(
    loadConfig({ cwd: project({ "tracepatch.toml": "redact = true" }) }).config.redact,
    [],
  );
  assert.deepEqual(loadConfig({ cwd: project({}) }).config.redact, []);
  const bad = project({ "tracepatch.toml": 'redact_values = ["ok", "sk_("]' });
  assert.throws(() => loadConfig({ cwd: bad }), {
    message:
      /^Invalid config in tracepatch\.toml: "redact_values": regular expression "sk_\(" cannot be used: (?:Unterminated group|missing \))$/,
  });
});
