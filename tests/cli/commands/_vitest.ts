// `tph test` on vitest (the checkout's own vitest, linked into each project): vitest's report and
// exit code as `vitest run` gives them (stacks, code frames and functions' sources included), a
// run per test attempt with vitest's outcome, `beforeEach`/`afterEach` calls in their test's run,
// concurrent tests apart, the project's config loaded as vitest loads it (none, a function, one
// given with --config, the project's own plugins and setup files), both of vitest's pools, and
// one line for a project without vitest or with one too old (before 1.0).

import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  assertCode,
  exec,
  finish,
  lines,
  NODE,
  REPO,
  start,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";
import { type LoggedRun, untilListed } from "./_test_command.ts";
import { mountTmpfs, ROOT, unmount } from "./_disk.ts";

/** The node_modules holding vitest: the checkout's (vitest 5) or the fixture's (vitest 3). */
const MODULES = {
  "5": join(REPO, "node_modules"),
  "3": join(REPO, "tests/fixtures/vitest3/node_modules"),
};
type Version = keyof typeof MODULES;

const MATH = `export function add(a: number, b: number): number {
  return a + b;
}
export async function slow(x: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 10));
  return add(x, 1);
}
`;

const EXTRA = `import { add } from "./math";
export function boom(x: number): never {
  const y: number = add(x, 1);
  throw new Error(\`boom \${y}\`);
}
export function shape(a: number, b = 2) {
  return { a, b, sum: add(a, b) };
}
export async function later(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
}
`;

const TESTS = `import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { add, slow } from "../src/math";
import { boom, later, shape } from "../src/extra";
let n = 0;
beforeEach(() => { n = add(n, 1); });
afterEach(() => { add(n, 100); });
describe("math", () => {
  test("adds", () => { expect(add(1, 2)).toBe(3); });
  test("fails", () => { expect(add(1, 2)).toBe(4); });
  test.concurrent("one", async () => { expect(await slow(1)).toBe(2); });
  test.concurrent("two", async () => { expect(await slow(2)).toBe(3); });
});
test("throws from src", () => { boom(3); });
test("throws after await", async () => { await later(); boom(4); });
test("sources", () => { console.log(String(shape)); console.log(String(add)); });
test.skip("skipped", () => { add(0, 0); });
test("skips itself", (ctx) => { add(9, 9); ctx.skip(); });
test.fails("fails on purpose", () => { expect(add(1, 1)).toBe(3); });
test("too slow", async () => { add(7, 7); await new Promise((r) => setTimeout(r, 2000)); }, 100);
`;

/** A temporary project holding these files, with the checkout's vitest (or the fixture's 3). */
function project(files: Record<string, string>, version: Version = "5"): TempDir {
  const dir = tempDir();
  symlinkSync(MODULES[version], join(dir.path, "node_modules"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, name)), { recursive: true });
    writeFileSync(join(dir.path, name), text);
  }
  return dir;
}

function calcProject(version: Version): TempDir {
  return project({
    "package.json": '{ "type": "module", "scripts": { "test": "vitest" } }\n',
    "src/math.ts": MATH,
    "src/extra.ts": EXTRA,
    "test/calc.test.ts": TESTS,
  }, version);
}

/**
 * vitest's report with its times taken out, and vitest 5's hint about the time its workers took to
 * start (tph's preload is part of that time: under tph test the hint is off).
 */
function report(text: string): string {
  const all = lines(text);
  const hint = all.findIndex((l) => /^\s*Isolate\s+\d+ workers spawned/.test(l));
  // The hint, its second line, and the empty line before it.
  if (hint > 0 && all[hint - 1] === "") all.splice(hint - 1, 3);
  else if (hint >= 0) all.splice(hint, 2);
  return all.filter((l) => !l.startsWith("tph: ")).map((l) =>
    // A test's time with the spaces before it: vitest prints one more before a test's over its
    // slow threshold (300 ms), which a traced test at load may pass where the plain one did not.
    l.replace(/ *\d+(?:\.\d+)? ?m?s\b/g, " T").replace(/^(\s*Start at ).*/, "$1T")
      .replace(/^(\s*Duration ).*/, "$1T")
  ).join("\n");
}

/** A plain `vitest run` with these arguments, on the Node tph test runs vitest on. */
function plainVitest(dir: string, args: string[] = []) {
  const vitest = join(dir, "node_modules/vitest/vitest.mjs");
  return exec([NODE, vitest, "run", ...args], { cwd: dir, env: nodeFirst() });
}

/** PATH with the checkout's Node 24 first: the Node tph test runs vitest on. */
function nodeFirst(): Record<string, string> {
  return { PATH: `${dirname(NODE)}:${process.env.PATH}` };
}

async function storedTests(t: Target, dir: string): Promise<LoggedRun[]> {
  const logs = await tph(t, ["logs", "--json"], { cwd: dir });
  assertCode(logs, 0, "tph logs");
  return (JSON.parse(logs.stdout) as LoggedRun[]).reverse();
}

async function treeOf(t: Target, dir: string, id: string, ...options: string[]) {
  const tree = await tph(t, ["tree", id, ...options], { cwd: dir });
  assertCode(tree, 0, "tph tree");
  return lines(tree.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, ""));
}

/**
 * The main tests, on every runtime tph runs on: on vitest 5 (each test's run held by an
 * aroundEach hook) or vitest 3 (by a beforeEach hook and the async context it enters).
 */
export function vitestTests(t: Target, version: Version = "5"): void {
  const installed = existsSync(join(MODULES[version], "vitest"));
  Deno.test({
    name:
      `tph test: vitest ${version}'s report and exit code, a run per test with vitest's outcome (${t.name})`,
    // npm test installs it first (package.json's pretest), as .ci/run does.
    ignore: !installed,
    fn: () => mainTest(t, version),
  });
}

async function mainTest(t: Target, version: Version): Promise<void> {
  {
    await using dir = calcProject(version);
    const plain = await plainVitest(dir.path);
    assert.equal(plain.code, 1, plain.stdout + plain.stderr);
    const r = await tph(t, ["test"], { cwd: dir.path, env: nodeFirst() });
    assertCode(r, plain.code, "tph test");
    // Stacks, code frames, functions' sources (one calls an import: vite rewrote its text).
    assert.match(plain.stderr, /test\/calc\.test\.ts:9:43/);
    assert.match(plain.stdout, /function shape\(a, b = 2\) \{/);
    assert.equal(report(r.stdout), report(plain.stdout));
    assert.equal(report(r.stderr), report(plain.stderr));
    const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
    assert.match(
      own[0],
      /^tph: 10 tests traced \(5 passed, 3 failed, 1 skipped, 1 timed out\), \d+ calls; stored each test's run in \.tracepatch_cache$/,
    );
    const named = own.slice(1).map((l) =>
      /^tph: (FAILED|TIMED OUT) (.+): tph tree (\S+) {2}\(tph view \3 --html\)$/.exec(l)
    );
    assert.deepEqual(named.map((m) => m?.[2]).sort(), [
      "test/calc.test.ts › math › fails",
      "test/calc.test.ts › throws after await",
      "test/calc.test.ts › throws from src",
      "test/calc.test.ts › too slow",
    ], own.join("\n"));
    const runs = await storedTests(t, dir.path);
    const byName = new Map(runs.map((x) => [x.run?.test?.name, x]));
    assert.deepEqual(
      runs.map((x) => [x.run?.test?.name, x.run?.test?.outcome, x.run?.test?.runner]).sort(),
      [
        ["fails on purpose", "passed", "vitest"],
        ["math › adds", "passed", "vitest"],
        ["math › fails", "failed", "vitest"],
        ["math › one", "passed", "vitest"],
        ["math › two", "passed", "vitest"],
        ["skips itself", "skipped", "vitest"],
        ["sources", "passed", "vitest"],
        ["throws after await", "failed", "vitest"],
        ["throws from src", "failed", "vitest"],
        ["too slow", "timed out", "vitest"],
      ].sort(),
    );
    assert.ok(runs.every((x) => x.run?.test?.file === "test/calc.test.ts"));
    // The hooks' calls are the test's; the calls after an await too, and down to the error.
    assert.deepEqual(
      await treeOf(t, dir.path, byName.get("throws after await")!.id, "--no-return"),
      [
        "├── beforeEach callback()",
        "│   └── add(a=5, b=1)",
        "├── async test callback #2() !! Error: boom 5",
        "│   ├── async later()",
        "│   │   └── later › Promise executor(r=[Function r])",
        "│   │       └── setTimeout([Function setTimeout callback], 5) [ext]",
        "│   └── boom(x=4) !! Error: boom 5",
        "│       └── add(a=4, b=1)",
        "└── afterEach callback()",
        "    └── add(a=6, b=100)",
      ],
    );
    // Concurrent tests keep their calls apart.
    for (const [name, x] of [["math › one", 1], ["math › two", 2]] as const) {
      const tree = await treeOf(t, dir.path, byName.get(name)!.id, "--no-return");
      const slows = tree.filter((l) => /slow\(x=/.test(l));
      assert.deepEqual(
        slows.map((l) => l.replace(/^[│├└─ ]+/, "")),
        [`async slow(x=${x})`],
        tree.join("\n"),
      );
    }
  }
}

/** Config files, pools, arguments and refusals: on one runtime of tph's. */
export function vitestConfigTests(t: Target): void {
  Deno.test(`tph test: vitest's config as vitest loads it: a function, its plugins and setup files, --config, -t, the threads and vm pools (${t.name})`, async () => {
    const small = `import { test, expect } from "vitest";
import { add } from "../src/math";
test("plugin ran", () => { expect(add(1, 1)).toBe(globalThis.FROM_SETUP + 2); });
test("other", () => { add(5, 5); });
`;
    const config = `import { defineConfig } from "vitest/config";
export default defineConfig(({ mode }) => ({
  plugins: [{ name: "doubler", transform(code, id) {
    return id.endsWith("math.ts") ? code.replace("return a + b;", "return (a + b) * 2;") : null;
  } }],
  test: { setupFiles: ["./setup.ts"], env: { MODE_SEEN: mode } },
}));
`;
    await using dir = project({
      "package.json": '{ "type": "module", "devDependencies": { "vitest": "*" } }\n',
      "src/math.ts": MATH,
      "test/small.test.ts": small,
      "setup.ts": "globalThis.FROM_SETUP = 2;\n",
      "vitest.config.ts": config,
      "other.config.mjs": "export default { test: { include: ['test/small.test.ts'] } };\n",
    });
    // The project's plugin ran before tph's: add returns (1 + 1) * 2 = FROM_SETUP + 2.
    for (const args of [[], ["--pool", "threads"], ["--pool", "vmThreads"], ["-t", "plugin"]]) {
      const plain = await plainVitest(dir.path, args);
      assertCode(plain, 0, `vitest run ${args.join(" ")}`);
      const r = await tph(t, ["test", "--", ...args], { cwd: dir.path, env: nodeFirst() });
      assertCode(r, 0, `tph test -- ${args.join(" ")}`);
      assert.equal(report(r.stdout), report(plain.stdout));
      const tests = args[0] === "-t" ? 1 : 2;
      assert.match(
        lines(r.stderr).at(-1)!,
        new RegExp(
          `^tph: ${tests} tests? traced \\(${tests} passed, 0 failed\\), \\d+ calls; stored`,
        ),
        r.stderr,
      );
    }
    const tree = await treeOf(t, dir.path, (await storedTests(t, dir.path)).at(-1)!.id);
    assert.deepEqual(tree, [
      "└── test callback() -> undefined",
      "    ├── add(a=1, b=1) -> 4",
      "    └── expect(4) -> [Proxy] [ext]",
    ]);
    // --config: the file given, not the one vitest would find (then the plugin does not run).
    const given = await tph(t, ["test", "--", "--config", "other.config.mjs"], {
      cwd: dir.path,
      env: nodeFirst(),
    });
    assertCode(given, 1, "tph test -- --config");
    assert.match(given.stderr, /expected 2 to be NaN/);
  });

  Deno.test(`tph test: vitest's projects, written in the config or in files of their own, each test a run (${t.name})`, async () => {
    const one = (name: string) =>
      `import { test, expect } from "vitest";\nimport { twice } from "../twice";\n` +
      `test("${name}", () => { expect(twice(2)).toBe(4); });\n`;
    await using dir = project({
      "package.json": '{ "type": "module", "scripts": { "test": "vitest run" } }\n',
      "vitest.config.ts": 'import { defineConfig } from "vitest/config";\n' +
        "export default defineConfig({ test: { projects: [\n" +
        '  { test: { name: "inline", include: ["a/test/*.test.ts"] } },\n  "b",\n] } });\n',
      "a/twice.ts": "export function twice(n: number) { return n * 2; }\n",
      "a/test/a.test.ts": one("in a"),
      "b/vitest.config.ts": 'export default { test: { name: "own file" } };\n',
      "b/twice.ts": "export function twice(n: number) { return n + n; }\n",
      "b/test/b.test.ts": one("in b"),
    });
    const plain = await plainVitest(dir.path);
    assertCode(plain, 0, "vitest run");
    const r = await tph(t, ["test"], { cwd: dir.path, env: nodeFirst() });
    assertCode(r, 0, "tph test");
    assert.equal(report(r.stdout), report(plain.stdout));
    assert.match(lines(r.stderr).at(-1)!, /^tph: 2 tests traced \(2 passed, 0 failed\), 6 calls; /);
    const runs = await storedTests(t, dir.path);
    assert.deepEqual(runs.map((x) => [x.run?.test?.name, x.run?.test?.file]).sort(), [
      ["in a", "a/test/a.test.ts"],
      ["in b", "b/test/b.test.ts"],
    ]);
  });

  Deno.test(`tph test: modules vitest leaves to Node (require() of a project file) are traced too (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "type": "module", "scripts": { "test": "vitest run" } }\n',
      "lib/tiny.cjs": "function helper(x) { return x; }\n" +
        "function triple(x) { return helper(x) * 3; }\nmodule.exports = { triple };\n",
      "test/t.test.ts": 'import { createRequire } from "node:module";\n' +
        'import { expect, test } from "vitest";\n' +
        'const { triple } = createRequire(import.meta.url)("../lib/tiny.cjs");\n' +
        'test("triple", () => { expect(triple(2)).toBe(6); console.log(String(triple)); });\n',
    });
    const plain = await plainVitest(dir.path);
    assertCode(plain, 0, "vitest run");
    const r = await tph(t, ["test"], { cwd: dir.path, env: nodeFirst() });
    assertCode(r, 0, "tph test");
    assert.equal(report(r.stdout), report(plain.stdout));
    assert.match(plain.stdout, /function triple\(x\) \{ return helper\(x\) \* 3; \}/);
    const runs = await storedTests(t, dir.path);
    assert.deepEqual(await treeOf(t, dir.path, runs[0].id, "--no-return"), [
      "└── test callback()",
      "    ├── triple(x=2)",
      "    │   └── helper(x=2)",
      "    ├── expect(6) [ext]",
      '    └── console.log("function triple(x) { return helper(x) * 3; }") [ext]',
    ]);
  });

  Deno.test(`tph test: SIGINT mid-run ends vitest as plainly (130), the finished tests' runs kept (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "type": "module", "scripts": { "test": "vitest run" } }\n',
      "test/s.test.ts": 'import { test } from "vitest";\nfunction one() { return 1; }\n' +
        'test("quick", () => { one(); });\n' +
        'test("slow", async () => { one(); await new Promise((r) => setTimeout(r, 60000)); }, ' +
        "120000);\n",
    });
    const child = start([...t.tph, "test"], { cwd: dir.path, env: nodeFirst() });
    const cache = join(dir.path, ".tracepatch_cache");
    await untilListed(cache, "quick");
    Deno.kill(child.pid, "SIGINT");
    const r = await finish(child, "", 60_000, "tph test");
    assertCode(r, 130, "tph test, interrupted");
    assert.match(lines(r.stderr).at(-1)!, /^tph: 1 test traced \(1 passed, 0 failed\), 2 calls; /);
    const runs = await storedTests(t, dir.path);
    assert.deepEqual(runs.map((x) => [x.label, x.run?.test?.outcome]), [["quick", "passed"]]);
  });

  Deno.test({
    name: `tph run and tph test: a read-only temporary folder is one line (${t.name})`,
    ignore: !ROOT,
    fn: async () => {
      await using dir = project({
        "package.json": '{ "type": "module", "scripts": { "test": "vitest run" } }\n',
        "main.js": "console.log(1);\n",
        "test/a.test.ts": 'import { test } from "vitest";\ntest("a", () => {});\n',
      });
      const tmp = join(dir.path, "tmp");
      mountTmpfs(tmp, "size=64k,ro");
      try {
        const env = { ...nodeFirst(), TMPDIR: tmp };
        const line = `tph: Cannot make a temporary folder in "${tmp}": read-only file system; ` +
          "set TMPDIR to a folder tph can write\n";
        for (const args of [["run", "--no-cache", "main.js"], ["test"]]) {
          const r = await tph(t, args, { cwd: dir.path, env });
          assertCode(r, 1, `tph ${args.join(" ")}`);
          assert.equal(r.stdout, "");
          assert.equal(r.stderr, line);
        }
      } finally {
        unmount(tmp);
      }
    },
  });

  Deno.test(`tph test: a project without vitest, or with one too old, is told so in one line (${t.name})`, async () => {
    await using none = tempDir();
    writeFileSync(join(none.path, "package.json"), '{ "scripts": { "test": "vitest run" } }\n');
    const r = await tph(t, ["test"], { cwd: none.path, env: nodeFirst() });
    assertCode(r, 1, "tph test without vitest");
    assert.match(
      r.stderr,
      /^tph: vitest is not installed here \(no node_modules\/vitest in .+ or above\): npm install --save-dev vitest, or choose another runner with --runner\n$/,
    );
    await using old = tempDir();
    writeFileSync(
      join(old.path, "package.json"),
      '{ "devDependencies": { "vitest": "0.34.6" } }\n',
    );
    mkdirSync(join(old.path, "node_modules/vitest"), { recursive: true });
    writeFileSync(
      join(old.path, "node_modules/vitest/package.json"),
      '{ "name": "vitest", "version": "0.34.6", "bin": { "vitest": "vitest.mjs" } }\n',
    );
    const o = await tph(t, ["test"], { cwd: old.path, env: nodeFirst() });
    assertCode(o, 1, "tph test with vitest 0.34");
    assert.equal(
      o.stderr,
      "tph: tph test runs vitest 1.0 or later, and this project has vitest 0.34.6: " +
        "npm install --save-dev vitest@latest\n",
    );
  });
}
